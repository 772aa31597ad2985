package dev.parley.spring.boot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.Ack;
import dev.parley.Args;
import dev.parley.EventHandler;
import dev.parley.Socket;
import dev.parley.SocketIoServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the {@link OnEvent} methods of the application's beans and, once every singleton exists,
 * registers them on the {@link SocketIoServer} bean: one connection handler per namespace that adds
 * each method as an event handler of the new socket. A method whose parameters it cannot fill fails
 * the start-up, naming the method.
 */
public class OnEventMethods implements BeanPostProcessor, SmartInitializingSingleton {
  private final ObjectProvider<SocketIoServer> server;
  private final List<Binding> bindings = new ArrayList<>();

  /**
   * Collects {@link OnEvent} methods for the server {@code server} provides.
   *
   * @param server the server, looked up once the singletons exist
   */
  public OnEventMethods(ObjectProvider<SocketIoServer> server) {
    this.server = server;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = AopUtils.getTargetClass(bean);
    Map<Method, OnEvent> found = MethodIntrospector.selectMethods(type,
        (MethodIntrospector.MetadataLookup<OnEvent>) m -> AnnotatedElementUtils.findMergedAnnotation(m, OnEvent.class));
    for (Map.Entry<Method, OnEvent> e : found.entrySet()) {
      Method method = AopUtils.selectInvocableMethod(e.getKey(), bean.getClass());
      synchronized (bindings) {
        bindings.add(new Binding(bean, method, e.getValue()));
      }
    }
    return bean;
  }

  @Override
  public void afterSingletonsInstantiated() {
    Map<String, List<Binding>> byNamespace = new LinkedHashMap<>();
    synchronized (bindings) {
      for (Binding b : bindings) {
        byNamespace.computeIfAbsent(b.namespace, k -> new ArrayList<>()).add(b);
      }
    }
    if (byNamespace.isEmpty()) {
      return;
    }
    SocketIoServer io = server.getObject();
    byNamespace.forEach((namespace, list) -> io.of(namespace).onConnection(socket -> {
      for (Binding b : list) {
        socket.on(b.event, b.handler(socket));
      }
    }));
  }

  /** What fills one parameter. */
  private enum Kind { SOCKET, ACK, ARGS, PAYLOAD }

  /** One {@link OnEvent} method, checked once. */
  private static final class Binding {
    final Object bean;
    final Method method;
    final String event;
    final String namespace;
    final Kind[] kinds;
    /** For each payload parameter, the index of the event argument it takes. */
    final int[] argIndex;
    final boolean answers;

    Binding(Object bean, Method method, OnEvent on) {
      if (Modifier.isStatic(method.getModifiers())) {
        throw new IllegalStateException("@OnEvent method " + method + " must not be static");
      }
      this.bean = bean;
      this.method = method;
      this.event = on.value();
      this.namespace = on.namespace();
      Class<?>[] types = method.getParameterTypes();
      this.kinds = new Kind[types.length];
      this.argIndex = new int[types.length];
      int payloads = 0;
      boolean hasAck = false;
      for (int i = 0; i < types.length; i++) {
        Kind k = types[i] == Socket.class ? Kind.SOCKET
            : types[i] == Ack.class ? Kind.ACK
            : types[i] == Args.class ? Kind.ARGS
            : Kind.PAYLOAD;
        for (int j = 0; j < i; j++) {
          if (k != Kind.PAYLOAD && kinds[j] == k) {
            throw new IllegalStateException("@OnEvent method " + method + " takes two " + types[i].getSimpleName()
                + " parameters");
          }
        }
        kinds[i] = k;
        hasAck |= k == Kind.ACK;
        if (k == Kind.PAYLOAD) {
          argIndex[i] = payloads++;
        }
      }
      this.answers = !hasAck && method.getReturnType() != void.class;
      ReflectionUtils.makeAccessible(method);
    }

    EventHandler handler(Socket socket) {
      return (args, ack) -> {
        Class<?>[] types = method.getParameterTypes();
        Object[] values = new Object[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
          values[i] = switch (kinds[i]) {
            case SOCKET -> socket;
            case ACK -> ack;
            case ARGS -> args;
            case PAYLOAD -> payload(args, argIndex[i], types[i]);
          };
        }
        Object result;
        try {
          result = method.invoke(bean, values);
        } catch (InvocationTargetException e) {
          Throwable cause = e.getCause();
          if (cause instanceof Exception ex) {
            throw ex;
          }
          throw (Error) cause;
        }
        if (answers && result != null && ack != Ack.NONE) {
          if (result instanceof CompletionStage<?> stage) {
            stage.thenAccept(v -> {
              if (v != null) {
                ack.send(v);
              }
            });
          } else {
            ack.send(result);
          }
        }
      };
    }

    private static Object payload(Args args, int index, Class<?> type) {
      if (index >= args.size()) {
        return null;
      }
      if (type == JsonNode.class) {
        return args.get(index);
      }
      if (type == byte[].class) {
        return args.bytes(index);
      }
      return args.get(index, type);
    }
  }
}
