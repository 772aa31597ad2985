package dev.parley;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.List;

/**
 * The {@link ObjectMapper} a server uses unless given another ({@link SocketIoServer#defaultMapper()}).
 *
 * <ul>
 *   <li>{@code java.time} values and {@code Optional}s through Jackson's own modules (jsr310, jdk8);
 *       dates, times and durations written as ISO-8601 strings, as a JavaScript {@code Date} is
 *       written by {@code JSON.stringify}, not as numbers;</li>
 *   <li>properties a client sends that the target type does not have are ignored, as JavaScript
 *       code ignores them, instead of failing the conversion;</li>
 *   <li>values that must not go to a client (threads, class loaders, streams, sockets, executors,
 *       futures, locks) are refused with a clear error instead of being written as beans.</li>
 * </ul>
 */
final class DefaultMapper {
  /** Types whose bean form would expose the server's internals, or walk far into them. */
  private static final List<Class<?>> REFUSED = List.of(
      Thread.class, ThreadGroup.class, ClassLoader.class,
      java.io.InputStream.class, java.io.OutputStream.class, java.io.Reader.class, java.io.Writer.class,
      java.nio.channels.Channel.class, java.net.Socket.class, java.net.ServerSocket.class,
      java.util.concurrent.Executor.class, java.util.concurrent.Future.class,
      java.util.concurrent.CompletionStage.class, java.util.concurrent.locks.Lock.class);

  private DefaultMapper() {}

  static ObjectMapper create() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.registerModule(new Jdk8Module());
    mapper.registerModule(new JavaTimeModule());
    mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    mapper.disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    SimpleModule refuse = new SimpleModule("parley-refused-types");
    refuse.setSerializerModifier(new BeanSerializerModifier() {
      @Override
      public JsonSerializer<?> modifySerializer(SerializationConfig config, BeanDescription bean,
          JsonSerializer<?> serializer) {
        Class<?> type = bean.getBeanClass();
        for (Class<?> refused : REFUSED) {
          if (refused.isAssignableFrom(type)) {
            return new Refusing(type, refused);
          }
        }
        return serializer;
      }
    });
    mapper.registerModule(refuse);
    return mapper;
  }

  /** Fails the conversion of a value of a refused type with a message that names it. */
  private static final class Refusing extends JsonSerializer<Object> {
    private final Class<?> type;
    private final Class<?> refused;

    Refusing(Class<?> type, Class<?> refused) {
      this.type = type;
      this.refused = refused;
    }

    @Override
    public void serialize(Object value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      provider.reportMappingProblem("a %s (%s) is not sent to clients: it is not data", type.getName(),
          refused.getSimpleName());
    }
  }
}
