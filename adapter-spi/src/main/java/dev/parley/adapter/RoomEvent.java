package dev.parley.adapter;

/**
 * Room lifecycle notifications an adapter reports to its namespace: a room created or deleted, a
 * socket joined or left.
 *
 * <pre>{@code
 * context.roomEvent(new RoomEvent(RoomEvent.Kind.JOIN, "room1", socketId));
 * }</pre>
 */
public record RoomEvent(Kind kind, String room, String socketId) {
  /** What happened. */
  public enum Kind { CREATE, DELETE, JOIN, LEAVE }
}
