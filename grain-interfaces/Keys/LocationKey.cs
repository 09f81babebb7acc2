using System.Text.RegularExpressions;

namespace Widgets.Keys;

/// <summary>Identifies a merchant location: the POS system's id plus its location id.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.LocationKey")]
public readonly partial record struct LocationKey([property: Id(0)] string PosSystemId, [property: Id(1)] string LocationId)
{
    private const char Separator = '/';

    /// <summary>Ids are short tokens so they can be embedded in keys, URLs and logs without escaping.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static LocationKey Create(string posSystemId, string locationId) =>
        new(posSystemId.ToLowerInvariant(), locationId);

    public static LocationKey Parse(string key)
    {
        var at = key.IndexOf(Separator);
        if (at <= 0 || at == key.Length - 1)
        {
            throw new FormatException($"'{key}' is not a location key (expected 'posSystemId/locationId').");
        }

        return new LocationKey(key[..at], key[(at + 1)..]);
    }

    public override string ToString() => $"{PosSystemId}{Separator}{LocationId}";

    // \z, not $: $ also matches before a final newline, which let "lane-7\n" through.
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex IdPattern();
}
