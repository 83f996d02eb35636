package io.configd.bridge;

/**
 * One frame from a bridge client, as {@link FrameCodec} reads it. Every frame may carry a token in its headers
 * ({@code authorization}, null when it carries none). Members a client got wrong (an address that is not a string)
 * are null here; the bridge decides what that means.
 */
sealed interface Frame {

  String authorization();

  record Ping(String authorization) implements Frame {
  }

  record Register(String address, String authorization) implements Frame {
  }

  record Unregister(String address, String authorization) implements Frame {
  }

  /** A request: {@code body} as the client sent it (validated later), {@code replyAddress} where the answer goes. */
  record Send(String address, Object body, String replyAddress, String authorization) implements Frame {
  }

  record Publish(String authorization) implements Frame {
  }

  /** Not a frame of the protocol: not a JSON object, or an unknown type. */
  record Invalid(String why, String authorization) implements Frame {
  }
}
