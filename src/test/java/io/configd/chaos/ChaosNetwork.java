package io.configd.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's own network: one network namespace per node, each with two veth links into two bridges of the
 * run: the services link (PostgreSQL, Redis and Kafka on the bridge's address, and the workload's HTTP) and
 * the cluster link (Hazelcast and the clustered event bus). A partition downs a node's cluster link: the
 * node is cut from the other nodes and keeps its services and clients. Everything is deleted at close
 * (and by a shutdown hook); a run's slot {@code s} uses 10.77.s.0/24 and 10.78.s.0/24 and names cdc{s}*.
 */
final class ChaosNetwork implements AutoCloseable {

  private static final Path SLOTS = Path.of("/tmp/configd-chaos-net");

  private final int slot;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> links = new ArrayList<>();
  private final Thread cleanup = new Thread(this::deleteAll, "chaos-network-cleanup");
  private boolean closed;

  private ChaosNetwork(int slot) {
    this.slot = slot;
  }

  /** Creates the two bridges in a free slot; fails with a message when namespaces cannot be made (not root). */
  static ChaosNetwork create() {
    if (Shell.tryRun("ip", "netns", "list").exit() != 0) {
      throw new IllegalStateException("the chaos run needs ip(8) and network namespaces (root, or CAP_NET_ADMIN)");
    }
    reclaimAbandonedSlots();
    for (int slot = 1; slot < 250; slot++) {
      if (Shell.tryRun("ip", "link", "add", bridgeName(slot, 's'), "type", "bridge").exit() == 0) {
        ChaosNetwork network = new ChaosNetwork(slot);
        Runtime.getRuntime().addShutdownHook(network.cleanup);
        network.links.add(bridgeName(slot, 's'));
        network.claim();
        network.setUp();
        return network;
      }
    }
    throw new IllegalStateException("no free chaos network slot (links cdc1s..cdc249s all exist)");
  }

  /** The address of the services bridge in the root namespace, where the run's services listen. */
  String servicesHost() {
    return "10.77." + slot + ".1";
  }

  /** Node n's (1-based) address on the services link: HTTP and the bridge. */
  String nodeHost(int n) {
    return "10.77." + slot + "." + (10 + n);
  }

  /** Node n's address on the cluster link: Hazelcast and the event bus. */
  String clusterHost(int n) {
    return "10.78." + slot + "." + (10 + n);
  }

  String namespace(int n) {
    return "cdc" + slot + "n" + n;
  }

  /** Makes node n's namespace and its two links. */
  void addNode(int n) {
    String ns = namespace(n);
    Shell.run("ip", "netns", "add", ns);
    namespaces.add(ns);
    Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
    link(n, 's', "svc0", nodeHost(n));
    link(n, 'c', "clu0", clusterHost(n));
  }

  /** Cuts node n from the other nodes (its cluster link down); its services link stays up. */
  void partition(int n) {
    Shell.run("ip", "link", "set", hostEnd(n, 'c'), "down");
  }

  void heal(int n) {
    Shell.run("ip", "link", "set", hostEnd(n, 'c'), "up");
  }

  private void setUp() {
    Shell.run("ip", "link", "add", bridgeName(slot, 'c'), "type", "bridge");
    links.add(bridgeName(slot, 'c'));
    Shell.run("ip", "addr", "add", servicesHost() + "/24", "dev", bridgeName(slot, 's'));
    Shell.run("ip", "link", "set", bridgeName(slot, 's'), "up");
    Shell.run("ip", "link", "set", bridgeName(slot, 'c'), "up");
  }

  private void link(int n, char kind, String inside, String address) {
    String host = hostEnd(n, kind);
    String ns = namespace(n);
    Shell.run("ip", "link", "add", host, "type", "veth", "peer", "name", inside, "netns", ns);
    links.add(host);
    Shell.run("ip", "link", "set", host, "master", bridgeName(slot, kind));
    Shell.run("ip", "link", "set", host, "up");
    Shell.run("ip", "-n", ns, "addr", "add", address + "/24", "dev", inside);
    Shell.run("ip", "-n", ns, "link", "set", inside, "up");
  }

  private String hostEnd(int n, char kind) {
    return "cdc" + slot + kind + n;
  }

  private static String bridgeName(int slot, char kind) {
    return "cdc" + slot + kind;
  }

  /** Records this process as the slot's owner, so that a later run can reclaim it if this one is killed. */
  private void claim() {
    try {
      Files.createDirectories(SLOTS);
      Files.writeString(SLOTS.resolve(Integer.toString(slot)), Long.toString(ProcessHandle.current().pid()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Deletes the namespaces and links of slots whose owner process is gone (a run killed before its cleanup). */
  private static void reclaimAbandonedSlots() {
    if (!Files.isDirectory(SLOTS)) {
      return;
    }
    try (var files = Files.list(SLOTS)) {
      for (Path file : files.toList()) {
        long owner = Long.parseLong(Files.readString(file).strip());
        if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        int slot = Integer.parseInt(file.getFileName().toString());
        for (String ns : Shell.run("ip", "netns", "list").split("\n")) {
          String name = ns.split(" ")[0];
          if (name.startsWith("cdc" + slot + "n")) {
            Shell.tryRun("ip", "netns", "del", name);
          }
        }
        Shell.tryRun("ip", "link", "del", bridgeName(slot, 's'));
        Shell.tryRun("ip", "link", "del", bridgeName(slot, 'c'));
        Files.deleteIfExists(file);
      }
    } catch (java.io.IOException | RuntimeException e) {
      System.err.println("chaos: could not reclaim abandoned network slots: " + e);
    }
  }

  private synchronized void deleteAll() {
    if (closed) {
      return;
    }
    closed = true;
    namespaces.forEach(ns -> Shell.tryRun("ip", "netns", "del", ns)); // deletes the veth ends inside, and so the pairs
    links.forEach(link -> Shell.tryRun("ip", "link", "del", link));
    try {
      Files.deleteIfExists(SLOTS.resolve(Integer.toString(slot)));
    } catch (java.io.IOException e) {
      System.err.println("chaos: " + e);
    }
  }

  @Override
  public void close() {
    deleteAll();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs (and finds the work done)
    }
  }
}
