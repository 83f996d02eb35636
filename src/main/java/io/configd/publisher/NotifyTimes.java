package io.configd.publisher;

import io.configd.stream.HopTrace;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When the NOTIFY of each revision arrived, until the relay sends it: the first hop of the change path's trace.
 * Bounded (a follower hears every NOTIFY and relays none), the oldest forgotten first.
 */
final class NotifyTimes {

  private static final int MAX = 50_000;

  private final Map<Long, Long> heardAt = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
      return size() > MAX;
    }
  };

  void heard(String payload) {
    try {
      heardAt.putIfAbsent(Long.parseLong(payload), HopTrace.nowMicros());
    } catch (NumberFormatException e) {
      // not a revision: nothing to trace
    }
  }

  /** When the revision's NOTIFY arrived, or {@code otherwise} when it was not heard (the sweep found it). */
  long take(long revision, long otherwise) {
    Long at = heardAt.remove(revision);
    return at == null ? otherwise : at;
  }
}
