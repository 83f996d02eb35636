package io.configd.bridge;

import io.configd.stream.HopTrace;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** The Vert.x bridge protocol's frames, read from and written to text (the same on SockJS, WebSocket and TCP). */
final class FrameCodec {

  private FrameCodec() {
  }

  static Frame decode(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      return new Frame.Invalid("the frame is not a JSON object", null);
    }
    String authorization = authorization(frame);
    String type = frame.getValue("type") instanceof String t ? t : "";
    return switch (type) {
      case "ping" -> new Frame.Ping(authorization);
      case "register" -> new Frame.Register(string(frame, "address"), authorization);
      case "unregister" -> new Frame.Unregister(string(frame, "address"), authorization);
      case "send" -> new Frame.Send(string(frame, "address"), frame.getValue("body"), string(frame, "replyAddress"),
          authorization);
      case "publish" -> new Frame.Publish(authorization);
      default -> new Frame.Invalid("unknown frame type '" + type + "'", authorization);
    };
  }

  /** The Vert.x bridges' refusal, {type: err, body: code}; the JS client hands it to onerror. */
  static String refusal(String code, String detail) {
    return new JsonObject().put("type", "err").put("body", code).put("message", code + ": " + detail).encode();
  }

  /** The failed answer to a request. */
  static String failedReply(String replyAddress, int failureCode, String message) {
    return new JsonObject().put("type", "err").put("address", replyAddress).put("failureCode", failureCode)
        .put("failureType", "RECIPIENT_FAILURE").put("message", message).encode();
  }

  /**
   * A change delivered at a subscribed address: "rec" on SockJS and WebSocket, "message" on TCP. {@code body} is
   * JSON already, the address is a validated config address ([A-Za-z0-9_.-]) and the trace digits and commas:
   * nothing to escape. {@code trace} (null: none) goes in the frame's headers as configd-trace.
   */
  static String message(String type, String address, String trace, String body) {
    String headers = trace == null ? "" : ",\"headers\":{\"" + HopTrace.HEADER + "\":\"" + trace + "\"}";
    return "{\"type\":\"" + type + "\",\"address\":\"" + address + "\"" + headers + ",\"body\":" + body + "}";
  }

  /** The answer to a request, at the reply address the client chose. */
  static String reply(String type, String replyAddress, JsonObject body) {
    return new JsonObject().put("type", type).put("address", replyAddress).put("body", body).encode();
  }

  static String pong() {
    return "{\"type\":\"pong\"}";
  }

  /** The Authorization value of a frame's headers, null when it has none. */
  private static String authorization(JsonObject frame) {
    if (!(frame.getValue("headers") instanceof JsonObject headers)) {
      return null;
    }
    Object value = headers.getValue("Authorization", headers.getValue("authorization"));
    return value instanceof String text ? text : null;
  }

  private static String string(JsonObject frame, String member) {
    return frame.getValue(member) instanceof String text ? text : null;
  }
}
