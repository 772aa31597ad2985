package dev.parley.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.engine.EnginePacket;
import dev.parley.engine.protocol.EngineCodec;
import dev.parley.engine.protocol.EngineParseException;
import dev.parley.protocol.SioDecoder;
import dev.parley.protocol.SioParseException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random and mutated input into the pure decoders: the only failure allowed is the codec's own parse
 * exception. Anything else (a NullPointerException, an IndexOutOfBounds, a Jackson exception leaking
 * out) would reach the session as a crash. Several hundred thousand inputs, a few seconds.
 */
class DecoderFuzzTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Pieces of real packets, glued together at random, reach deeper into the parsers than noise. */
  private static final List<String> SIO_PIECES = List.of(
      "0", "1", "2", "3", "4", "5", "6", "7", "-", "1-", "2-", "10-", "99999999999-", "/", "/chat", ",",
      "12", "999999999999999999", "[", "]", "{", "}", "\"", ":", ",", "\"ev\"", "\"connect\"", "\"disconnect\"",
      "{\"_placeholder\":true,\"num\":0}", "{\"_placeholder\":true,\"num\":7}", "{\"_placeholder\":true,\"num\":\"x\"}",
      "null", "true", "1e999", "-0", "\\u0000", "\\ud800", "\u00e9", "\uD83D\uDE00", " ", "abc");

  @Provide
  Arbitrary<String> sioText() {
    Arbitrary<String> pieces = Arbitraries.of(SIO_PIECES).list().ofMaxSize(12).map(l -> String.join("", l));
    Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(40);
    return Arbitraries.oneOf(pieces, pieces, noise);
  }

  @Provide
  Arbitrary<String> eioPayload() {
    Arbitrary<String> piece = Arbitraries.oneOf(
        Arbitraries.of("0", "1", "2", "3", "4", "5", "6", "7", "a", "b", "bAQID", "bAQIDBA==", "b!!", "b\n",
            "\u001e", "\u001e\u001e", "4hello", "2probe", "", "\u00e9", "bAQIDBA==\n"),
        Arbitraries.strings().ofMaxLength(8));
    return piece.list().ofMaxSize(10).map(l -> String.join("", l));
  }

  @Property(tries = 150_000)
  void engineIoPayloadsEitherDecodeOrFailWithAParseException(@ForAll("eioPayload") String payload) {
    try {
      EngineCodec.decodePayload(payload);
    } catch (EngineParseException expected) {
      // the session closes with "parse error"
    }
    try {
      EngineCodec.decodeText(payload);
    } catch (EngineParseException expected) {
      // likewise
    }
  }

  @Property(tries = 200_000)
  void socketIoPacketsEitherDecodeOrFailWithAParseException(@ForAll("sioText") String first,
      @ForAll("sioText") String second, @ForAll byte[] binary) {
    SioDecoder decoder = new SioDecoder(MAPPER, 10);
    for (EnginePacket p : List.of(EnginePacket.message(first), EnginePacket.message(binary),
        EnginePacket.message(second))) {
      try {
        decoder.add(p);
      } catch (SioParseException expected) {
        decoder = new SioDecoder(MAPPER, 10); // the connection would close; start a new one
      }
    }
  }
}
