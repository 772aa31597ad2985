package dev.parley.transport.jetty;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads class files (never loading them) and checks that every Jetty class, method and field they
 * refer to exists on the running Jetty with the exact name and type descriptor, as the JVM will ask
 * when it links them, and that its package is exported to Parley's module. For {@link FastPathCheck}.
 *
 * <p>A reference through one of the checked classes themselves (an inherited Jetty method called on
 * {@code this}) is looked up from that class's superclass and interfaces, as the JVM resolves it.
 */
final class LinkCheck {
  private static final String JETTY = "org/eclipse/jetty/";

  private LinkCheck() {}

  /** One parsed class file: its name, supertypes, own members, and the references it makes. */
  private record ClassFile(String name, String superName, List<String> interfaces, Set<String> members,
      List<String> classRefs, List<Ref> refs) {}

  /** A field or method reference: owner (internal name), member name, descriptor. */
  private record Ref(String owner, String name, String descriptor, boolean field) {}

  /** What is missing, described; null when everything links. */
  static String missing(List<String> classNames, ClassLoader loader, Module parley) throws IOException {
    Map<String, ClassFile> ours = new HashMap<>();
    Deque<String> toParse = new ArrayDeque<>();
    classNames.forEach(n -> toParse.add(n.replace('.', '/')));
    while (!toParse.isEmpty()) {
      String name = toParse.poll();
      if (ours.containsKey(name)) {
        continue;
      }
      ClassFile cf = parse(name);
      ours.put(name, cf);
      for (String c : cf.classRefs()) {
        if (c.startsWith(name + "$")) {
          toParse.add(c); // its nested and anonymous classes (a callback, a queue item)
        }
      }
    }
    Set<String> checked = new HashSet<>();
    for (ClassFile cf : ours.values()) {
      for (String c : cf.classRefs()) {
        if (c.startsWith(JETTY) && checked.add(c)) {
          String problem = checkClass(c, loader, parley);
          if (problem != null) {
            return problem;
          }
        }
      }
      for (Ref r : cf.refs()) {
        String owner = r.owner();
        List<String> from = new ArrayList<>();
        ClassFile own = ours.get(owner);
        if (own != null) {
          if (own.members().contains(r.name() + r.descriptor())) {
            continue; // declared by the class itself
          }
          from.add(own.superName());
          from.addAll(own.interfaces());
        } else if (owner.startsWith(JETTY)) {
          from.add(owner);
        } else {
          continue; // the JDK's, or Parley's own
        }
        if (from.stream().noneMatch(c -> c.startsWith(JETTY))) {
          continue;
        }
        if (!checked.add(owner + "." + r.name() + r.descriptor()) || resolves(from, r, loader)) {
          continue;
        }
        return (r.field() ? "field " : "method ") + owner.replace('/', '.') + "." + r.name() + r.descriptor();
      }
    }
    return null;
  }

  private static String checkClass(String internalName, ClassLoader loader, Module parley) {
    try {
      Class<?> c = Class.forName(internalName.replace('/', '.'), false, loader);
      if (!c.getModule().isExported(c.getPackageName(), parley)) {
        return c.getPackageName() + " is not exported to Parley's module";
      }
      return null;
    } catch (ClassNotFoundException | LinkageError e) {
      return "class " + internalName.replace('/', '.');
    }
  }

  /** Looks {@code r} up in the given classes, their superclasses and interfaces. */
  private static boolean resolves(List<String> from, Ref r, ClassLoader loader) {
    Deque<Class<?>> todo = new ArrayDeque<>();
    for (String name : from) {
      try {
        todo.add(Class.forName(name.replace('/', '.'), false, loader));
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }
    Set<Class<?>> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      Class<?> c = todo.poll();
      if (!seen.add(c)) {
        continue;
      }
      if (r.field()) {
        for (Field f : c.getDeclaredFields()) {
          if (f.getName().equals(r.name()) && MethodType.methodType(f.getType()).toMethodDescriptorString()
              .equals("()" + r.descriptor())) {
            return true;
          }
        }
      } else if (r.name().equals("<init>")) {
        for (Constructor<?> k : c.getDeclaredConstructors()) {
          if (MethodType.methodType(void.class, k.getParameterTypes()).toMethodDescriptorString().equals(r.descriptor())) {
            return true;
          }
        }
        return false; // constructors are not inherited
      } else {
        for (Method m : c.getDeclaredMethods()) {
          if (m.getName().equals(r.name()) && MethodType.methodType(m.getReturnType(), m.getParameterTypes())
              .toMethodDescriptorString().equals(r.descriptor())) {
            return true;
          }
        }
      }
      if (c.getSuperclass() != null) {
        todo.add(c.getSuperclass());
      }
      todo.addAll(List.of(c.getInterfaces()));
    }
    return false;
  }

  /**
   * The constant pool's class and member references, and the class's supertypes and own members. The
   * class file is read through this class (the checked classes are in its module): a named module's
   * class loader does not hand out a class file of an encapsulated package, the module itself does.
   */
  private static ClassFile parse(String internalName) throws IOException {
    try (InputStream in = LinkCheck.class.getResourceAsStream("/" + internalName + ".class")) {
      if (in == null) {
        throw new IOException("no class file for " + internalName);
      }
      DataInputStream d = new DataInputStream(in);
      d.readInt(); // magic
      d.readUnsignedShort(); // minor
      d.readUnsignedShort(); // major
      int count = d.readUnsignedShort();
      String[] utf8 = new String[count];
      int[] tags = new int[count];
      int[] a = new int[count];
      int[] b = new int[count];
      for (int i = 1; i < count; i++) {
        int tag = d.readUnsignedByte();
        tags[i] = tag;
        switch (tag) {
          case 1 -> utf8[i] = d.readUTF();
          case 7, 8, 16, 19, 20 -> a[i] = d.readUnsignedShort();
          case 3, 4 -> d.readInt();
          case 5, 6 -> {
            d.readLong();
            i++; // takes two entries
          }
          case 9, 10, 11, 12, 17, 18 -> {
            a[i] = d.readUnsignedShort();
            b[i] = d.readUnsignedShort();
          }
          case 15 -> {
            d.readUnsignedByte();
            d.readUnsignedShort();
          }
          default -> throw new IOException("unknown constant pool tag " + tag + " in " + internalName);
        }
      }
      d.readUnsignedShort(); // access
      String name = utf8[a[d.readUnsignedShort()]];
      int superIndex = d.readUnsignedShort();
      String superName = superIndex == 0 ? null : utf8[a[superIndex]];
      List<String> interfaces = new ArrayList<>();
      for (int n = d.readUnsignedShort(); n > 0; n--) {
        interfaces.add(utf8[a[d.readUnsignedShort()]]);
      }
      Set<String> members = new HashSet<>();
      for (int section = 0; section < 2; section++) { // fields, then methods
        for (int n = d.readUnsignedShort(); n > 0; n--) {
          d.readUnsignedShort(); // access
          members.add(utf8[d.readUnsignedShort()] + utf8[d.readUnsignedShort()]);
          for (int attrs = d.readUnsignedShort(); attrs > 0; attrs--) {
            d.readUnsignedShort();
            d.skipNBytes(d.readInt());
          }
        }
      }
      List<String> classRefs = new ArrayList<>();
      List<Ref> refs = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        if (tags[i] == 7 && !utf8[a[i]].startsWith("[")) {
          classRefs.add(utf8[a[i]]);
        } else if (tags[i] == 9 || tags[i] == 10 || tags[i] == 11) {
          String owner = utf8[a[a[i]]];
          int nameAndType = b[i];
          if (!owner.startsWith("[")) {
            refs.add(new Ref(owner, utf8[a[nameAndType]], utf8[b[nameAndType]], tags[i] == 9));
          }
        }
      }
      return new ClassFile(name, superName, interfaces, members, classRefs, refs);
    }
  }
}
