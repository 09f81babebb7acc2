namespace Widgets.Sessions;

/// <summary>
/// A client's Idempotency-Key with a fingerprint of the request it came with: the same key and fingerprint
/// replays the first answer, the same key with another fingerprint is refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("Widgets.RequestKey")]
public sealed record RequestKey([property: Id(0)] string Key, [property: Id(1)] string Fingerprint);

/// <summary>A keyed start: the session id the key maps to and the request's fingerprint.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.IdempotentStart")]
public sealed record IdempotentStart([property: Id(0)] string SessionId, [property: Id(1)] string Fingerprint);
