package io.configd.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last good values on disk, so a service can start when no node answers. Written a short while after
 * changes (debounced), to a temporary file that is then renamed over the old one: a reader never sees half a file.
 */
final class SnapshotFile {

  static final int FORMAT = 1;
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFile.class);

  private final Vertx vertx;
  private final Path path;
  private final Duration debounce;
  private final Supplier<JsonObject> content;
  private long timer = -1;
  private boolean dirty;
  private Future<Void> writing = Future.succeededFuture();

  SnapshotFile(Vertx vertx, Path path, Duration debounce, Supplier<JsonObject> content) {
    this.vertx = vertx;
    this.path = path.toAbsolutePath();
    this.debounce = debounce;
    this.content = content;
  }

  /** The saved snapshot, or empty when there is none or it cannot be read (then the client starts from a node). */
  Future<Optional<JsonObject>> read() {
    return vertx.fileSystem().exists(path.toString())
        .compose(exists -> exists ? vertx.fileSystem().readFile(path.toString()).map(buffer -> Optional.of(buffer.toJsonObject()))
            : Future.succeededFuture(Optional.<JsonObject>empty()))
        .map(found -> found.filter(json -> json.getInteger("format", 0) == FORMAT))
        .recover(failure -> {
          LOG.warn("Ignoring the snapshot file {}: {}", path, failure.getMessage());
          return Future.succeededFuture(Optional.empty());
        });
  }

  /** Schedules a write; changes within the debounce delay share it. */
  void changed() {
    dirty = true;
    if (timer < 0) {
      timer = vertx.setTimer(debounce.toMillis(), id -> {
        timer = -1;
        flush();
      });
    }
  }

  /** Writes now if anything changed since the last write; writes never overlap. */
  Future<Void> flush() {
    if (dirty) {
      dirty = false;
      Buffer json = content.get().toBuffer();
      writing = writing.transform(previous -> write(json));
    }
    return writing;
  }

  Future<Void> close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return flush();
  }

  private Future<Void> write(Buffer json) {
    String temp = path + ".tmp";
    Path parent = path.getParent();
    OpenOptions options = new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true).setDsync(true);
    return (parent == null ? Future.<Void>succeededFuture() : vertx.fileSystem().mkdirs(parent.toString()))
        .compose(v -> vertx.fileSystem().open(temp, options))
        .compose(file -> file.write(json).eventually(file::close))
        .compose(v -> vertx.fileSystem().move(temp, path.toString(),
            new CopyOptions().setAtomicMove(true).setReplaceExisting(true)))
        .onFailure(failure -> LOG.warn("Cannot write the snapshot file {}: {}", path, failure.getMessage()));
  }
}
