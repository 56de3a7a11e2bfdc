package com.cartgateway.dev;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

/**
 * One Redis command over a fresh connection, for starting and shaping the dev services (a PING, the
 * cluster's MEET, ADDSLOTS and REPLICATE) before any client of the gateway exists. Replies are read
 * as text: a status, an integer, a bulk string, or the elements of an array joined by newlines; an
 * error reply throws.
 */
final class RespSocket {
  private RespSocket() {}

  /** Sends {@code args} as one command to {@code host:port} and returns its reply. */
  static String call(String host, int port, List<String> args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      ByteArrayOutputStream command = new ByteArrayOutputStream();
      command.write(("*" + args.size() + "\r\n").getBytes(UTF_8));
      for (String arg : args) {
        byte[] bytes = arg.getBytes(UTF_8);
        command.write(("$" + bytes.length + "\r\n").getBytes(UTF_8));
        command.write(bytes);
        command.write("\r\n".getBytes(UTF_8));
      }
      out.write(command.toByteArray());
      out.flush();
      return reply(new BufferedInputStream(socket.getInputStream()));
    }
  }

  private static String reply(InputStream in) throws IOException {
    String line = line(in);
    if (line.isEmpty()) {
      throw new IOException("empty reply");
    }
    String rest = line.substring(1);
    switch (line.charAt(0)) {
      case '+':
      case ':':
        return rest;
      case '-':
        throw new IOException("Redis answered " + rest);
      case '$':
        int length = Integer.parseInt(rest);
        if (length < 0) {
          return "";
        }
        byte[] bulk = in.readNBytes(length + 2);
        return new String(bulk, 0, length, UTF_8);
      case '*':
        int count = Integer.parseInt(rest);
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < count; i++) {
          joined.append(i == 0 ? "" : "\n").append(reply(in));
        }
        return joined.toString();
      default:
        throw new IOException("unexpected reply " + line);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    for (int b = in.read(); b != -1; b = in.read()) {
      if (previous == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, UTF_8);
      }
      line.write(b);
      previous = b;
    }
    throw new IOException("connection closed mid-reply");
  }
}
