package dev.parley.engine;

import java.util.concurrent.CompletionStage;

/**
 * An admission check that answers later: the reference server's {@code allowRequest(req, callback)}
 * when the callback is called after a database or token service lookup. It returns at once with a
 * stage that completes with the {@link AdmissionHook.Decision}, from any thread; no Jetty thread waits
 * meanwhile (the request stays open and the host goes on when the stage completes, on the completing
 * thread). A stage that completes exceptionally, or a hook that throws, refuses the request.
 *
 * <p>It runs on handshakes only (requests without {@code sid}), after the synchronous
 * {@link AdmissionHook} has allowed the request. Set it with
 * {@link EngineOptions.Builder#admissionAsync(AsyncAdmissionHook)}.
 *
 * <pre>{@code
 * EngineOptions.builder().admissionAsync(request ->
 *     tokens.lookup(request.query("token"))            // CompletableFuture<Optional<User>>
 *         .thenApply(user -> user.isPresent()
 *             ? AdmissionHook.Decision.allow()
 *             : AdmissionHook.Decision.refuse("unknown token")));
 * }</pre>
 */
@FunctionalInterface
public interface AsyncAdmissionHook {
  /**
   * Starts the check of {@code request} and returns its decision to come; must not block.
   *
   * @return a stage completed with the decision (never {@code null})
   */
  CompletionStage<AdmissionHook.Decision> check(EngineRequest request);
}
