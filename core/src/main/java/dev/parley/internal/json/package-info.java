/**
 * Not API. Core's JSON text: {@link dev.parley.internal.json.Json}, with its fast paths for the common
 * shapes and Jackson for the rest, used by the Engine.IO and Socket.IO layers alike.
 * {@code dev.parley.core}'s module descriptor does not export this package.
 */
package dev.parley.internal.json;
