package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Debian's redis-server on a free loopback port, persistence off. */
public final class RedisServer implements AutoCloseable {
  private final ChildProcess process;
  final int port;

  private RedisServer(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** One Redis on a free loopback port, its files in {@code dir}; close it to stop it. */
  public static RedisServer start(Path dir) {
    return start(dir, Ports.free());
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts on a given port (to bring Redis back where clients expect it). */
  static RedisServer start(Path dir, int port) {
    ChildProcess process = ChildProcess.start("redis", List.of(binary(),
        "--bind", "127.0.0.1", "--port", Integer.toString(port), "--save", "", "--appendonly", "no",
        "--dir", dir.toString(), "--daemonize", "no", "--loglevel", "warning"), dir, dir.resolve("redis.log"));
    RedisServer server = new RedisServer(process, port);
    Await.until("redis on port " + port, Duration.ofSeconds(20), process, server::pong);
    return server;
  }

  /** Debian's redis-server, or why it is missing. */
  static String binary() {
    return Executables.find("redis-server").orElseThrow(() -> new MissingPrerequisiteException(
        "redis-server not found: install the Debian package redis-server "
            + "(./brain test and ./brain up do it with apt-get when run as root)"));
  }

  private boolean pong() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, 7);
      return new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /** SHUTDOWN SAVE: the data goes to dump.rdb in the folder, which a start in the same folder loads. */
  void shutdownSaving() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("SHUTDOWN SAVE\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.getInputStream().read(); // EOF when the server has gone
    } catch (IOException e) {
      // the server closes the connection as it exits
    }
    try {
      if (!process.awaitExit(20)) {
        process.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.close();
    }
  }

  ChildProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
