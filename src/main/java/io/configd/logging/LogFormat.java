package io.configd.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up the console of logback (the project's one SLF4J binding) from the {@code log} section: one JSON object per
 * line when asked (timestamp, level, threadName, loggerName, formattedMessage, the key-value pairs (kvpList) and
 * throwable), and the access log's lines through a buffer of their own ({@link BufferedConsoleAppender}), in the
 * console's format.
 */
public final class LogFormat {

  /** The access log's logger (AccessLog in the api package writes to it). */
  static final String ACCESS_LOGGER = "io.configd.access";

  private static volatile BufferedConsoleAppender<ILoggingEvent> accessBuffer;

  private LogFormat() {
  }

  public static void apply(LogSettings settings) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    OutputStreamAppender<ILoggingEvent> console = null;
    Iterator<Appender<ILoggingEvent>> appenders = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
    while (appenders.hasNext()) {
      if (appenders.next() instanceof OutputStreamAppender<ILoggingEvent> found) {
        console = console == null ? found : console;
        if (settings.json()) {
          found.stop();
          found.setEncoder(jsonEncoder(context));
          found.start();
        }
      }
    }
    if (console != null && settings.access() && settings.accessFlushMs() > 0) {
      bufferAccessLog(context, console, settings);
    }
  }

  /** Writes the access lines still in the buffer: the node calls it once it has stopped. */
  public static void flush() {
    BufferedConsoleAppender<ILoggingEvent> buffer = accessBuffer;
    if (buffer != null) {
      buffer.flush();
    }
  }

  /**
   * The access logger writes to a buffered appender of its own, in the console's format, and no longer to the root's
   * console. A console whose text pattern is not known here (a logback configuration of the operator's own) is left
   * as it is.
   */
  private static void bufferAccessLog(LoggerContext context, OutputStreamAppender<ILoggingEvent> console,
                                      LogSettings settings) {
    Encoder<ILoggingEvent> encoder;
    if (settings.json()) {
      encoder = jsonEncoder(context);
    } else if (console.getEncoder() instanceof PatternLayoutEncoder text) {
      PatternLayoutEncoder copy = new PatternLayoutEncoder();
      copy.setContext(context);
      copy.setPattern(text.getPattern());
      copy.setCharset(text.getCharset());
      copy.start();
      encoder = copy;
    } else {
      return;
    }
    BufferedConsoleAppender<ILoggingEvent> buffer = new BufferedConsoleAppender<>();
    buffer.setContext(context);
    buffer.setName("ACCESS");
    buffer.setEncoder(encoder);
    buffer.setFlushMs(settings.accessFlushMs());
    buffer.start();
    ch.qos.logback.classic.Logger access = context.getLogger(ACCESS_LOGGER);
    access.addAppender(buffer);
    access.setAdditive(false);
    accessBuffer = buffer;
  }

  private static JsonEncoder jsonEncoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithFormattedMessage(true); // the line as the text format has it, not its pattern and arguments
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.start();
    return encoder;
  }
}
