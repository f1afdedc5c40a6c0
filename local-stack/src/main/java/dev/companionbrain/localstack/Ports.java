package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Free loopback ports and readiness probes. */
public final class Ports {
  private Ports() {}

  /** A port free on 127.0.0.1 right now. */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** {@code count} distinct free ports (a single call may hand the same port out twice in a row). */
  public static int[] free(int count) {
    java.util.LinkedHashSet<Integer> ports = new java.util.LinkedHashSet<>();
    while (ports.size() < count) {
      ports.add(free());
    }
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }

  /** {@code preferred} when nothing listens on it, else a free port. */
  public static int preferredOrFree(int preferred) {
    return accepts(preferred) ? free() : preferred;
  }

  public static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
