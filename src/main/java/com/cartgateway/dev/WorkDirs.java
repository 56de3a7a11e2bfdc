package com.cartgateway.dev;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * The temporary folders of {@link DevServices}: each records the pid of the JVM that owns it, so
 * that the next start deletes the folders of owners killed by SIGKILL (whose shutdown hooks never
 * ran).
 */
final class WorkDirs {
  private static final System.Logger LOG = System.getLogger(WorkDirs.class.getName());
  private static final String WORK_DIR_PREFIX = "cartgateway-dev-";
  private static final String OWNER_FILE = "owner.pid";

  private WorkDirs() {}

  /** A new folder owned by this JVM, after deleting those of dead owners. */
  static Path create() {
    try {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      deleteWorkDirsOfDeadOwners(tmp);
      Path workDir = Files.createTempDirectory(tmp, WORK_DIR_PREFIX);
      Files.writeString(workDir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
      return workDir;
    } catch (IOException e) {
      throw new DevServicesException("could not create a temporary folder: " + e.getMessage(), e);
    }
  }

  /** Deletes a folder and everything in it; a failure is logged, not thrown. */
  static void delete(Path root) {
    deleteRecursively(root);
  }

  /** Temporary folders whose owner died by SIGKILL, so its shutdown hook never ran. */
  private static void deleteWorkDirsOfDeadOwners(Path tmp) {
    try (Stream<Path> candidates = Files.list(tmp)) {
      candidates
          .filter(dir -> dir.getFileName().toString().startsWith(WORK_DIR_PREFIX))
          .filter(dir -> Files.isRegularFile(dir.resolve(OWNER_FILE)))
          .filter(dir -> !ownerIsAlive(dir))
          .forEach(WorkDirs::deleteRecursively);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "could not clean up old dev services folders in " + tmp, e);
    }
  }

  private static boolean ownerIsAlive(Path dir) {
    try {
      long pid = Long.parseLong(Files.readString(dir.resolve(OWNER_FILE)).trim());
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | NumberFormatException e) {
      // Unreadable: assume someone still uses it.
      return true;
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure)
                throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not delete " + root + ": " + e);
    }
  }
}
