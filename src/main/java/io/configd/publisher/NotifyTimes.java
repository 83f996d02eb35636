package io.configd.publisher;

import io.configd.stream.HopTrace;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When the NOTIFY of each revision arrived (one per batch, naming its revisions), until the relay sends it: the first hop of the change path's trace.
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

  /** A NOTIFY's payload: the first and last revision its statement added ("41-57"), or one revision. */
  void heard(String payload) {
    long at = HopTrace.nowMicros();
    try {
      int dash = payload.indexOf('-');
      long first = Long.parseLong(dash < 0 ? payload : payload.substring(0, dash));
      long last = dash < 0 ? first : Long.parseLong(payload.substring(dash + 1));
      for (long revision = Math.max(first, last - MAX + 1); revision <= last; revision++) {
        heardAt.putIfAbsent(revision, at);
      }
    } catch (NumberFormatException e) {
      // not revisions: nothing to trace
    }
  }

  /** When the revision's NOTIFY arrived, or {@code otherwise} when it was not heard (the sweep found it). */
  long take(long revision, long otherwise) {
    Long at = heardAt.remove(revision);
    return at == null ? otherwise : at;
  }
}
