namespace Widgets.Common;

/// <summary>A grain call's result: a value, or a typed domain error with a human-readable detail.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.Outcome`1")]
public sealed record Outcome<T>
{
    [Id(0)] public T? Value { get; init; }
    [Id(1)] public DomainError Error { get; init; }
    [Id(2)] public string? Detail { get; init; }
    [Id(3)] public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    public bool IsSuccess => Error == DomainError.None;

    public static Outcome<T> Ok(T value) => new() { Value = value };

    public static Outcome<T> Fail(DomainError error, string detail) => new() { Error = error, Detail = detail };

    public static Outcome<T> Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new() { Error = DomainError.Validation, Detail = "One or more fields are invalid.", Errors = errors };

    public Outcome<TOther> Cast<TOther>() => new() { Error = Error, Detail = Detail, Errors = Errors };
}
