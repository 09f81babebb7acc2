using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Widgets.Client.Http;

namespace Widgets.Tests.Client;

/// <summary>
/// Compares the client's wire types with an OpenAPI 3.x document: property names and JSON types of request bodies
/// (everything the client sends is documented, everything the document requires is sent), of the success body's
/// <c>data</c> (the client reads every documented property and nothing else), of problem+json errors and of the
/// headers the client sends and reads. Follows <c>$ref</c>, <c>allOf</c>, <c>oneOf</c>/<c>anyOf</c> and 3.1 type arrays.
/// </summary>
internal sealed class OpenApiContract(JsonNode document)
{
    private static readonly IJsonTypeInfoResolver Client = WidgetsJsonContext.Default;

    /// <summary>The document's operation for a method and route template (parameter names and letter case ignored).</summary>
    public JsonObject? Find(HttpMethod method, string route) =>
        Operations().FirstOrDefault(o => o.Method.Equals(method.Method, StringComparison.OrdinalIgnoreCase) && Normalize(o.Route) == Normalize(route)).Operation;

    /// <summary>Everything in which <paramref name="operation"/> and the client disagree; empty when they agree.</summary>
    public IReadOnlyList<string> Compare(ApiOperation client, JsonObject operation)
    {
        var problems = new List<string>();
        var where = $"{client.Method} {client.Route}";
        CompareRequest(client, operation, where, problems);
        CompareSuccess(client, operation, where, problems);
        CompareProblems(operation, where, problems);
        CompareHeaders(client, operation, where, problems);
        return problems;
    }

    private void CompareRequest(ApiOperation client, JsonObject operation, string where, List<string> problems)
    {
        var content = operation["requestBody"]?["content"]?.AsObject();
        if (client == ApiOperations.Token)
        {
            var form = content?["application/x-www-form-urlencoded"]?["schema"];
            if (form is null)
            {
                problems.Add($"{where}: no application/x-www-form-urlencoded request body");
                return;
            }

            var properties = Properties(form);
            problems.AddRange(ApiOperations.TokenFormFields.Where(f => !properties.ContainsKey(f)).Select(f => $"{where}: form field '{f}' the client sends is not documented"));
            return;
        }

        if (client.Request is null)
        {
            return;
        }

        var schema = content?["application/json"]?["schema"];
        if (schema is null)
        {
            problems.Add($"{where}: no application/json request body schema");
            return;
        }

        CompareObject(Client.GetTypeInfo(client.Request, WidgetsJsonContext.Default.Options)!, schema, $"{where} request", sent: true, problems);
    }

    private void CompareSuccess(ApiOperation client, JsonObject operation, string where, List<string> problems)
    {
        var success = operation["responses"]?.AsObject().FirstOrDefault(r => r.Key.StartsWith('2')).Value;
        var schema = success?["content"]?["application/json"]?["schema"];
        if (schema is null)
        {
            problems.Add($"{where}: no application/json schema for its 2xx answer");
            return;
        }

        if (client == ApiOperations.Token)
        {
            CompareObject(Client.GetTypeInfo(client.Response, WidgetsJsonContext.Default.Options)!, schema, $"{where} answer", sent: false, problems);
            return;
        }

        // Every other answer is the contract's envelope: { "data": … }.
        var data = Properties(schema).GetValueOrDefault("data");
        if (data is null)
        {
            problems.Add($"{where}: the 2xx answer has no 'data' envelope");
            return;
        }

        CompareValue(client.Response, data, $"{where} data", sent: false, problems);
    }

    private void CompareProblems(JsonObject operation, string where, List<string> problems)
    {
        var reader = Client.GetTypeInfo(typeof(ProblemBody), WidgetsJsonContext.Default.Options)!;
        foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
        {
            var schema = response?["content"]?["application/problem+json"]?["schema"];
            if (schema is null)
            {
                continue;
            }

            var documented = Properties(schema);
            if (!documented.ContainsKey("code"))
            {
                problems.Add($"{where} {status}: the problem has no 'code'");
            }

            foreach (var property in reader.Properties.Where(p => documented.ContainsKey(p.Name)))
            {
                CompareValue(property.PropertyType, documented[property.Name]!, $"{where} {status} problem.{property.Name}", sent: false, problems);
            }
        }
    }

    private void CompareHeaders(ApiOperation client, JsonObject operation, string where, List<string> problems)
    {
        var headers = (operation["parameters"]?.AsArray() ?? [])
            .Select(p => Resolve(p!))
            .Where(p => p["in"]?.GetValue<string>() == "header")
            .Select(p => p["name"]!.GetValue<string>())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var header in client.Headers.Where(h => !headers.Contains(h)))
        {
            problems.Add($"{where}: header '{header}' the client sends is not documented");
        }

        foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
        {
            var answered = (response?["headers"]?.AsObject() ?? []).Select(h => h.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (status is "429" or "503" && !answered.Contains("Retry-After"))
            {
                problems.Add($"{where} {status}: no Retry-After header documented (the client waits for it)");
            }

            if (client == ApiOperations.ListWidgets && status is "200" && !answered.Contains("ETag"))
            {
                problems.Add($"{where} 200: no ETag header documented (the client revalidates with it)");
            }
        }

        if (client == ApiOperations.ListWidgets && operation["responses"]?["304"] is null)
        {
            problems.Add($"{where}: no 304 answer documented (If-None-Match)");
        }
    }

    /// <summary>An object type: each property the client has must be documented with a compatible type; the rest depends on the direction.</summary>
    private void CompareObject(JsonTypeInfo type, JsonNode schema, string where, bool sent, List<string> problems)
    {
        var resolved = Resolve(schema);
        if (!Types(resolved).Contains("object") && resolved["properties"] is null)
        {
            problems.Add($"{where}: the client has an object ({type.Type.Name}), the document {Describe(resolved)}");
            return;
        }

        var documented = Properties(resolved);
        var required = Required(resolved);
        var wire = type.Properties.Where(OnTheWire).ToList();
        foreach (var property in wire)
        {
            if (!documented.TryGetValue(property.Name, out var propertySchema) || propertySchema is null)
            {
                problems.Add($"{where}.{property.Name}: the client {(sent ? "sends" : "reads")} it, the document does not have it");
                continue;
            }

            CompareValue(property.PropertyType, propertySchema, $"{where}.{property.Name}", sent, problems);
            if (!sent && Types(Resolve(propertySchema)).Contains("null") && !property.IsSetNullable)
            {
                problems.Add($"{where}.{property.Name}: the document allows null, the client's {Name(property.PropertyType)} does not");
            }
        }

        var known = wire.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in documented.Keys.Union(required).Where(n => !known.Contains(n)))
        {
            if (sent && required.Contains(name))
            {
                problems.Add($"{where}.{name}: the document requires it, the client never sends it");
            }
            else if (!sent)
            {
                problems.Add($"{where}.{name}: the document has it, the client's {type.Type.Name} does not read it");
            }
        }
    }

    private void CompareValue(Type type, JsonNode schema, string where, bool sent, List<string> problems)
    {
        var resolved = Resolve(schema);
        var documented = Types(resolved);
        var clrType = Nullable.GetUnderlyingType(type) ?? type;
        var info = Client.GetTypeInfo(clrType, WidgetsJsonContext.Default.Options);
        string expected;
        if (clrType == typeof(string))
        {
            expected = "string";
        }
        else if (clrType == typeof(int) || clrType == typeof(long))
        {
            expected = "integer";
        }
        else if (clrType == typeof(bool))
        {
            expected = "boolean";
        }
        else if (clrType == typeof(DateTimeOffset) || clrType == typeof(DateTime))
        {
            expected = "string";
        }
        else if (info?.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element)
        {
            expected = "array";
            if (documented.Contains("array") && resolved["items"] is { } items)
            {
                CompareValue(element, items, $"{where}[]", sent, problems);
            }
        }
        else if (info?.Kind == JsonTypeInfoKind.Dictionary)
        {
            expected = "object";
        }
        else if (info?.Kind == JsonTypeInfoKind.Object)
        {
            CompareObject(info, resolved, where, sent, problems);
            return;
        }
        else
        {
            problems.Add($"{where}: the check does not know the client's type {Name(type)}");
            return;
        }

        // An integer documented as "number" cannot be read into the client's int.
        if (documented.Count > 0 && !documented.Contains(expected))
        {
            problems.Add($"{where}: the client has {expected} ({Name(type)}), the document {Describe(resolved)}");
        }
    }

    private IEnumerable<(string Route, string Method, JsonObject Operation)> Operations() =>
        (document["paths"]?.AsObject() ?? []).SelectMany(path => (path.Value?.AsObject() ?? [])
            .Where(o => o.Value is JsonObject && o.Key is "get" or "put" or "post" or "delete" or "patch")
            .Select(o => (path.Key, o.Key, o.Value!.AsObject())));

    /// <summary>Follows <c>$ref</c> and merges <c>allOf</c> into one schema.</summary>
    private JsonObject Resolve(JsonNode schema)
    {
        var node = schema.AsObject();
        for (var hops = 0; node["$ref"] is { } reference && hops < 32; hops++)
        {
            var path = reference.GetValue<string>().TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries);
            node = path.Aggregate((JsonNode?)document, (n, segment) => n?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)])?.AsObject()
                ?? throw new InvalidOperationException($"Unresolved $ref {reference}");
        }

        if (node["allOf"] is not JsonArray parts)
        {
            return node;
        }

        var merged = new JsonObject();
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var part in parts.Select(p => Resolve(p!)).Append(node))
        {
            foreach (var (name, value) in part["properties"]?.AsObject() ?? [])
            {
                properties[name] = value?.DeepClone();
            }

            foreach (var name in part["required"]?.AsArray() ?? [])
            {
                required.Add(name?.DeepClone());
            }

            if (part["type"] is { } type)
            {
                merged["type"] = type.DeepClone();
            }
        }

        merged["properties"] = properties;
        merged["required"] = required;
        return merged;
    }

    private Dictionary<string, JsonNode?> Properties(JsonNode schema)
    {
        var resolved = Resolve(schema);
        var properties = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var alternative in Alternatives(resolved).Prepend(resolved))
        {
            foreach (var (name, value) in alternative["properties"]?.AsObject() ?? [])
            {
                properties.TryAdd(name, value);
            }
        }

        return properties;
    }

    private HashSet<string> Required(JsonObject schema) =>
        (schema["required"]?.AsArray() ?? []).Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

    /// <summary>The JSON types a schema allows: <c>type</c> (a string or, in 3.1, an array) and those of its oneOf/anyOf alternatives.</summary>
    private HashSet<string> Types(JsonObject schema)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        switch (schema["type"])
        {
            case JsonArray many:
                types.UnionWith(many.Select(t => t!.GetValue<string>()));
                break;
            case JsonValue one:
                types.Add(one.GetValue<string>());
                break;
        }

        if (schema["nullable"]?.GetValue<bool>() == true)
        {
            types.Add("null");
        }

        foreach (var alternative in Alternatives(schema))
        {
            types.UnionWith(Types(alternative));
        }

        return types;
    }

    private IEnumerable<JsonObject> Alternatives(JsonObject schema) =>
        new[] { schema["oneOf"], schema["anyOf"] }.OfType<JsonArray>().SelectMany(a => a).Select(s => Resolve(s!));

    private string Describe(JsonObject schema) => Types(schema) is { Count: > 0 } types ? $"says {string.Join("|", types.Order(StringComparer.Ordinal))}" : "gives no type";

    /// <summary>A property marked [JsonIgnore] stays in the contract with neither getter nor setter.</summary>
    private static bool OnTheWire(JsonPropertyInfo property) => property.Get is not null || property.Set is not null;

    private static string Name(Type type) => Nullable.GetUnderlyingType(type) is { } inner ? inner.Name + "?" : type.Name;

    private static string Normalize(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route.ToLowerInvariant().TrimEnd('/'), @"\{[^}]*\}", "{}");
}
