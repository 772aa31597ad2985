package dev.parley.transport.jetty;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;

/**
 * {@code ByteBufferPool.acquire(int, boolean)} for the fast path. It returns a
 * {@code RetainableByteBuffer} in Jetty 12.0 and a {@code RetainableByteBuffer.Mutable} in 12.1: a
 * direct call compiled against one does not link on the other ({@code NoSuchMethodError}), so the fast
 * path calls it through a method handle typed to what both return. Once the JIT has inlined the
 * constant handle, the call costs what a direct one does.
 */
final class PooledBuffers {
  private static final MethodHandle ACQUIRE;

  static {
    try {
      ACQUIRE = MethodHandles.publicLookup()
          .unreflect(ByteBufferPool.class.getMethod("acquire", int.class, boolean.class))
          .asType(MethodType.methodType(RetainableByteBuffer.class, ByteBufferPool.class, int.class, boolean.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private PooledBuffers() {}

  /** A buffer of at least {@code size} bytes from {@code pool}, heap or direct. */
  static RetainableByteBuffer acquire(ByteBufferPool pool, int size, boolean direct) {
    try {
      return (RetainableByteBuffer) ACQUIRE.invokeExact(pool, size, direct);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t); // acquire declares no checked exception
    }
  }
}
