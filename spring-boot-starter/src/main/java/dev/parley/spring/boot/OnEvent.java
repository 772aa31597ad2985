package dev.parley.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method of a Spring bean the handler of a Socket.IO event, on every socket of a namespace.
 * The starter registers it on the {@code SocketIoServer} bean once the application's beans exist.
 *
 * <pre>{@code
 * @Component
 * class Chat {
 *   record Message(String room, String text) {}
 *
 *   @OnEvent("chat message")
 *   String onMessage(Socket socket, Message message) {   // the client's first argument, as a Message
 *     socket.to(message.room()).emit("chat message", message);
 *     return "delivered";                                 // the ack, when the client asked for one
 *   }
 * }
 * }</pre>
 *
 * <p>The parameters, in any order: the {@code dev.parley.Socket} that received the event, its
 * {@code dev.parley.Ack}, the raw {@code dev.parley.Args}, and payload parameters, which take the
 * event's arguments in order (the first payload parameter the first argument, and so on), converted
 * with the server's JSON mapper ({@code JsonNode} for the raw value, {@code byte[]} for binary; a
 * missing argument is null). A method without an {@code Ack} parameter that returns a value answers
 * the client's ack with it (a {@code CompletionStage} once it completes); without an ack asked for,
 * the value is dropped. An exception goes to the server's error handler, as a handler's does. The
 * method runs on the socket's lane, as any handler: it must not block for long.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface OnEvent {
  /**
   * The event name.
   *
   * @return the event this method handles
   */
  String value();

  /**
   * The namespace whose sockets get the handler, {@code "/"} by default.
   *
   * @return the namespace name
   */
  String namespace() default "/";
}
