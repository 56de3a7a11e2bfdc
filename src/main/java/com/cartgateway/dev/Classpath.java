package com.cartgateway.dev;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The classpath of this JVM as a child JVM needs it. {@code java.class.path} alone is not enough:
 * under {@code mvn exec:java} it names only Maven's launcher, and the project's classes and
 * dependencies sit in a URL class loader that the plugin installs as this class's loader and as the
 * thread's context loader. Under surefire and failsafe {@code java.class.path} may be a
 * manifest-only booter jar, which works as a child's classpath as it is.
 */
final class Classpath {
  private Classpath() {}

  /**
   * Loader URLs first (the project under exec:java), then {@code java.class.path} (all there is
   * under a plain {@code java -cp}, where the application class loader has no URLs to ask); no
   * repeats.
   */
  static List<Path> current() {
    Set<Path> entries = new LinkedHashSet<>();
    addLoaderChain(Classpath.class.getClassLoader(), entries);
    addLoaderChain(Thread.currentThread().getContextClassLoader(), entries);
    // Under exec:java this is Maven's launcher, of no use to a child.
    Optional<Path> mavenHome = Optional.ofNullable(System.getProperty("maven.home")).map(Path::of);
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path path = Path.of(entry).toAbsolutePath();
      if (mavenHome.isEmpty() || !path.startsWith(mavenHome.get().toAbsolutePath())) {
        entries.add(path);
      }
    }
    return List.copyOf(entries);
  }

  private static void addLoaderChain(ClassLoader loader, Set<Path> entries) {
    for (ClassLoader current = loader; current != null; current = current.getParent()) {
      // Maven's own realms are URL class loaders too; Maven's jars must not reach the children.
      if (current instanceof URLClassLoader urls
          && !current.getClass().getName().startsWith("org.codehaus.plexus.classworlds")) {
        for (URL url : urls.getURLs()) {
          addFileUrl(url, entries);
        }
      }
    }
  }

  private static void addFileUrl(URL url, Set<Path> entries) {
    if (!"file".equals(url.getProtocol())) {
      return;
    }
    try {
      entries.add(Path.of(url.toURI()).toAbsolutePath());
    } catch (URISyntaxException | IllegalArgumentException e) {
      // Not a plain file path (an odd URL a loader may carry): nothing a child JVM could use.
    }
  }
}
