using System.Text.Json;
using System.Text.Json.Serialization;

namespace Widgets.Gateway.Http;

/// <summary>
/// The one rule for an enum value the gateway reads, in a JSON body, the POS's <c>context</c> or a console form:
/// exactly one defined name, in any case (the contract writes them camelCase). <see cref="JsonStringEnumConverter"/>
/// and <c>Enum.TryParse</c> also read <c>"active,paused"</c> as a flags combination (stored as paused) and
/// <c>"idle,postPurchase"</c> as a value no name has (stored, then every read of the catalogue failed), even for
/// enums that are not <c>[Flags]</c>, and trim whitespace.
/// </summary>
public static class EnumNames<T>
    where T : struct, Enum
{
    private static readonly (T Value, string Name, JsonEncodedText Encoded)[] Values = [.. Enum.GetValues<T>().Select(Entry)];

    private static (T Value, string Name, JsonEncodedText Encoded) Entry(T value)
    {
        var name = JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
        return (value, name, JsonEncodedText.Encode(name));
    }

    /// <summary>What a field error says: the names to choose from.</summary>
    public static string Expected { get; } = $"Use one of: {string.Join(", ", Values.Select(v => v.Name))}.";

    public static bool TryParse(string? text, out T value)
    {
        foreach (var (candidate, name, _) in Values)
        {
            if (string.Equals(text, name, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>The camelCase name the contract uses (<c>couponDelivery</c>).</summary>
    public static string Name(T value) => Find(value).Name;

    /// <summary>The name, encoded once for JSON writers (enums are written in every answer that has one).</summary>
    public static JsonEncodedText Encoded(T value) => Find(value).Encoded;

    private static (T Value, string Name, JsonEncodedText Encoded) Find(T value)
    {
        foreach (var entry in Values)
        {
            if (EqualityComparer<T>.Default.Equals(entry.Value, value))
            {
                return entry;
            }
        }

        throw new JsonException($"{typeof(T).Name} has no value {value}.");
    }
}

/// <summary>A JSON value of the right type that is not one the field takes; the body reader answers it as that field's error.</summary>
public sealed class FieldValueException(string reason) : JsonException(reason)
{
    public string Reason { get; } = reason;
}

/// <summary>Reads and writes every enum by <see cref="EnumNames{T}"/>: a string holding exactly one name, nothing else.</summary>
public sealed class StrictEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && EnumNames<T>.TryParse(reader.GetString(), out var value)
                ? value
                : throw new FieldValueException(EnumNames<T>.Expected);

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(EnumNames<T>.Encoded(value));

        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            EnumNames<T>.TryParse(reader.GetString(), out var value) ? value : throw new FieldValueException(EnumNames<T>.Expected);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WritePropertyName(EnumNames<T>.Encoded(value));
    }
}
