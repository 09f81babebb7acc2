using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Widgets.Gateway.Http;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> (and <c>docs/openapi.json</c>, written at build), made from the
/// endpoints' own metadata: typed results give the success bodies, <see cref="ProblemsMetadata"/> the errors,
/// <see cref="SecurityMetadata"/> the security, and the other records of ContractMetadata.cs the headers and examples.
/// </summary>
public static class OpenApiSetup
{
    public const string ProblemSchema = "Problem";
    public const string ValidationProblemSchema = "ValidationProblem";
    private const string ProblemContentType = "application/problem+json";

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Authentication", "OAuth2 client credentials: a POS or operator client trades its id and secret for a bearer token."),
        ("POS", "The ClearLine-compatible POS surface: list the live widgets, start a session when a customer picks one, show its QR code or send its link, "
            + "read or cancel it, follow a terminal's events. Needs a token with scope `pos_integration`, for a location the client is granted."),
        ("Operator: catalogue", "A location's settings, widgets and terminals. Needs scope `widgets_admin`."),
        ("Operator: analytics", "Which widgets convert: the funnel per widget and terminal, and what customers submitted. Needs scope `widgets_admin`."),
        ("Operator: privacy", "A person's right to be forgotten: erase their contact details and answers at a location. Needs scope `widgets_admin`."),
        ("Operator: clients", "API clients and their grants. Needs scope `widgets_admin` with no location limits."),
        ("Customer pages", "The public pages behind customer links: the customer-facing screen with the QR code, the phone's landing page. "
            + "Links carry a signed, expiring token; a tampered or expired one is a 404."),
        ("Terminal screen", "A terminal's own customer-facing screen: the POS gets its long-lived link (`carousel`), a kiosk browser keeps it open, "
            + "the page follows the terminal live (idle carousel, QR, thanks) by server-sent events; the operator revokes its links."),
        ("Operations", "Liveness and readiness for orchestrators."),
    ];

    /// <summary>What each shared path parameter is, so every operation that takes one says so the same way.</summary>
    private static readonly Dictionary<string, string> ParameterDescriptions = new(StringComparer.Ordinal)
    {
        ["posSystemId"] = "The POS system's short id, e.g. `demo`, `pax`, `clover` (case-insensitive).",
        ["posLocationId"] = "The location (store) id within the POS system.",
        ["terminalId"] = "The terminal (lane) id: 1–64 letters, digits, dots, dashes or underscores.",
        ["widgetId"] = "The widget's id at the location.",
        ["sessionId"] = "The session id returned by widget/start.",
        ["clientId"] = "The API client's id.",
        ["token"] = "The signed link token.",
        ["from"] = "First UTC day, yyyy-MM-dd (default today).",
        ["to"] = "Last UTC day, yyyy-MM-dd (default today; at most 92 days after `from`).",
        ["format"] = "`json` (default) or `csv`.",
    };

    public static IServiceCollection AddWidgetsOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, context, _) =>
        {
            Describe(document);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<FormBodyMetadata>().FirstOrDefault() is { } form)
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/x-www-form-urlencoded"] = new() { Schema = await context.GetOrCreateSchemaAsync(form.Type, null, cancellationToken) },
                    },
                };
            }

            Describe(operation, metadata, context.Document!, context.Description.RelativePath);
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            Describe(schema, context);
            return Task.CompletedTask;
        });
    });

    private static void Describe(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        var type = context.JsonTypeInfo;
        // Enums are read and written by name (StrictEnumConverter), a converter the schema exporter cannot see into: it
        // leaves an enum's own schema empty and a list of them without items.
        if (type.Type.IsEnum)
        {
            schema.Type = JsonSchemaType.String;
            schema.Enum = EnumValues(type.Type);
            return;
        }

        if (type.ElementType is { IsEnum: true } element)
        {
            // The schema id makes the items the enum's shared component ($ref), as for an enum-typed property.
            schema.Items = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = EnumValues(element),
                Metadata = new Dictionary<string, object> { ["x-schema-id"] = element.Name },
            };
            return;
        }

        if (type.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object)
        {
            // Called for the type's own schema, also where it first appears as a property's type.
            schema.Required = RequiredProperties(type);
            if (type.Type.IsGenericType && type.Type.GetGenericTypeDefinition() == typeof(DataEnvelope<>) && schema.Properties?["data"] is OpenApiSchema data)
            {
                // The envelope always holds its data.
                schema.Required = new HashSet<string> { "data" };
                data.Type &= ~JsonSchemaType.Null;
                if (data.OneOf is { Count: 2 } alternatives)
                {
                    schema.Properties["data"] = alternatives.First(a => a is not OpenApiSchema { Type: JsonSchemaType.Null });
                }
            }
        }

        if (context.JsonPropertyInfo?.CustomConverter is FlexibleIntConverter)
        {
            // ClearLine's examples send widgetId as a string ("1"); we take a number too.
            schema.Type = null;
            schema.Format = null;
            schema.Pattern = null;
            schema.OneOf = [new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" }, new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9]+$" }];
            return;
        }

        if (schema.Type is { } t && t.HasFlag(JsonSchemaType.Integer) && t.HasFlag(JsonSchemaType.String))
        {
            // The web defaults would read "45" for 45; the contract's numbers are numbers (we always write them so).
            schema.Type = t & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (schema.Type is null && schema.OneOf is null
            && (schema.Format is "date-time" || schema.Enum is { Count: > 0 }))
        {
            // Timestamps (UtcTimestampConverter) and enums (camelCase strings) are strings on the wire.
            schema.Type = JsonSchemaType.String;
        }
    }

    private static List<JsonNode> EnumValues(Type enumType) =>
        [.. Enum.GetNames(enumType).Select(n => (JsonNode)JsonValue.Create(JsonNamingPolicy.CamelCase.ConvertName(n)))];

    /// <summary>
    /// What a body always carries. Nulls are left out of every answer (WidgetsJson), so a nullable member is never
    /// required; a request field is required only where it says so with <see cref="System.ComponentModel.DataAnnotations.RequiredAttribute"/>
    /// (the rest is checked by the body's own validation, with field errors a tool cannot phrase).
    /// </summary>
    private static HashSet<string>? RequiredProperties(System.Text.Json.Serialization.Metadata.JsonTypeInfo type)
    {
        var isRequest = typeof(IValidatable).IsAssignableFrom(type.Type);
        var required = type.Properties
            .Where(p => p.AttributeProvider?.IsDefined(typeof(System.ComponentModel.DataAnnotations.RequiredAttribute), inherit: true) == true
                || (!isRequest && p.Get is not null && !IsNullable(p)))
            .Select(p => p.Name)
            .ToHashSet(StringComparer.Ordinal);
        return required.Count > 0 ? required : null;
    }

    private static bool IsNullable(System.Text.Json.Serialization.Metadata.JsonPropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || (!property.PropertyType.IsValueType && property.AttributeProvider switch
        {
            System.Reflection.PropertyInfo p => new System.Reflection.NullabilityInfoContext().Create(p).ReadState != System.Reflection.NullabilityState.NotNull,
            System.Reflection.FieldInfo f => new System.Reflection.NullabilityInfoContext().Create(f).ReadState != System.Reflection.NullabilityState.NotNull,
            _ => true,
        });

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Widgets API",
            Version = "2.0",
            Description = "Marketing widgets for point-of-sale customer-facing screens. The POS surface is wire-compatible with ClearLine's widget API. "
                + "Success bodies are wrapped in `{ \"data\": … }` (but for the OAuth2 token); requests take `application/json` and `application/json-patch+json`; "
                + "errors are RFC 9457 `application/problem+json` with a stable `code`; 429 and 503 carry `Retry-After`.",
            License = new OpenApiLicense { Name = "Proprietary", Url = new Uri("https://widgets.example.com/terms") },
        };
        document.Servers = [new OpenApiServer { Url = "/", Description = "This gateway" }];
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [SecurityMetadata.OAuth2] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "A bearer JWT from POST /connect/token (client credentials).",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow
                    {
                        TokenUrl = new Uri("/connect/token", UriKind.Relative),
                        Scopes = new Dictionary<string, string>
                        {
                            [Clients.Scopes.PosIntegration] = "The POS surface, at the locations the client is granted.",
                            [Clients.Scopes.WidgetsAdmin] = "The operator surface: catalogue, terminals, analytics, clients.",
                        },
                    },
                },
            },
            [SecurityMetadata.ClientBasic] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "The API client's id and secret, for /connect/token.",
            },
        };

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var envelope in document.Components.Schemas.Where(s => s.Key.StartsWith("DataEnvelopeOf", StringComparison.Ordinal)).Select(s => s.Value))
        {
            // The envelope always holds its data: { "data": <T> }, never null (the schema generator cannot know it of a generic T).
            if (envelope.Properties?["data"] is OpenApiSchema { OneOf: { Count: 2 } alternatives } && envelope is OpenApiSchema writable)
            {
                writable.Properties!["data"] = alternatives.First(a => a is not OpenApiSchema { Type: JsonSchemaType.Null });
            }
        }

        document.Components.Schemas[ProblemSchema] = Problem(withErrors: false);
        document.Components.Schemas[ValidationProblemSchema] = Problem(withErrors: true);
        DescribeProbes(document);
    }

    /// <summary>
    /// /healthz and /readyz are ASP.NET Core health-check endpoints (silo/Hosting/Health/WidgetsHealth.cs), which
    /// describe no operation of their own; probes and SREs' tools read them from here.
    /// </summary>
    private static void DescribeProbes(OpenApiDocument document)
    {
        var status = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. new[] { "live", "ready", "degraded" }.Select(v => (JsonNode)JsonValue.Create(v))] },
                ["checks"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "Each health check's status and description." },
            },
        };
        OpenApiResponses Answers(bool ready) => ready
            ? new OpenApiResponses
            {
                ["200"] = new OpenApiResponse { Description = "Ready (`ready`, or `degraded` when a shared dependency is slow or down).", Content = Json(status) },
                ["503"] = new OpenApiResponse
                {
                    Description = "`not_ready`: not joined to the cluster yet, or stopping.",
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) } },
                },
            }
            : new OpenApiResponses { ["200"] = new OpenApiResponse { Description = "The process answers.", Content = Json(status) } };
        OpenApiPathItem Probe(string id, string summary, string description, bool ready) => new()
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = id,
                    Summary = summary,
                    Description = description,
                    Tags = new HashSet<OpenApiTagReference> { new("Operations", document) },
                    Security = [],
                    Responses = Answers(ready),
                },
            },
        };

        document.Paths ??= [];
        document.Paths["/healthz"] = Probe("live", "Liveness", "The process answers; depends on nothing else, from its first second.", ready: false);
        document.Paths["/readyz"] = Probe("ready", "Readiness",
            "This instance can serve: it has joined the cluster and is not stopping. Shared dependencies (PostgreSQL, SMTP, Twilio) make it `degraded`, never unready.", ready: true);

        static Dictionary<string, OpenApiMediaType> Json(OpenApiSchema schema) => new() { ["application/json"] = new() { Schema = schema } };
    }

    private static OpenApiSchema Problem(bool withErrors)
    {
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = withErrors
                ? "RFC 9457 problem details of a refused request, with `errors` naming each invalid field."
                : "RFC 9457 problem details with the stable machine-readable `code`.",
            Required = new HashSet<string> { "status", "title", "code" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI reference for the kind of problem." },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A short summary of the kind of problem." },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status." },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong this time, and what to do." },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable machine-readable code, e.g. `terminal_not_found`." },
                ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        };
        if (withErrors)
        {
            schema.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Messages per invalid field (`profile.customerPhone`).",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
        }

        return schema;
    }

    private static void Describe(OpenApiOperation operation, IList<object> metadata, OpenApiDocument document, string? path)
    {
        // Route values that no handler parameter binds (the location a filter resolves) are parameters all the same.
        foreach (var name in RouteParameters(path))
        {
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => p.In == ParameterLocation.Path && p.Name == name))
            {
                operation.Parameters.Insert(0, new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            }
        }

        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Description is null && parameter.Name is { } name && ParameterDescriptions.TryGetValue(name, out var description))
            {
                parameter.Description = description;
            }
        }

        var security = metadata.OfType<SecurityMetadata>().LastOrDefault() ?? SecurityMetadata.Public;
        operation.Security = security.Scheme.Length == 0
            ? []
            : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(security.Scheme, document)] = [.. security.Scopes] }];

        foreach (var header in metadata.OfType<HeaderParameterMetadata>().DistinctBy(h => h.Name))
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name,
                In = ParameterLocation.Header,
                Required = header.Required,
                Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = header.MaxLength },
            });
        }

        operation.Responses ??= new OpenApiResponses();
        foreach (var extra in metadata.OfType<ResponseContentMetadata>())
        {
            if (!operation.Responses.TryGetValue(Status(extra.Status), out var response))
            {
                operation.Responses[Status(extra.Status)] = response = new OpenApiResponse { Description = extra.Description };
            }

            if (response is OpenApiResponse withContent)
            {
                withContent.Content ??= new Dictionary<string, OpenApiMediaType>();
                var binary = extra.ContentType.StartsWith("image/png", StringComparison.Ordinal);
                withContent.Content[extra.ContentType] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = binary ? "binary" : null, Description = extra.Description },
                };
            }
        }

        var problems = metadata.OfType<ProblemsMetadata>().SelectMany(p => p.Codes).DistinctBy(c => c.Code).ToList();
        foreach (var byStatus in problems.GroupBy(c => c.Status).OrderBy(g => g.Key))
        {
            var withErrors = byStatus.Any(c => c == ProblemCodes.ValidationFailed);
            operation.Responses[Status(byStatus.Key)] = new OpenApiResponse
            {
                Description = string.Join("; ", byStatus.Select(c => $"`{c.Code}`: {c.Meaning}")),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemContentType] = new OpenApiMediaType
                    {
                        Schema = new OpenApiSchemaReference(withErrors ? ValidationProblemSchema : ProblemSchema, document),
                        Examples = byStatus.ToDictionary(c => c.Code, c => (IOpenApiExample)new OpenApiExample { Summary = c.Title, Value = Example(c) }),
                    },
                },
            };
        }

        foreach (var header in metadata.OfType<ResponseHeaderMetadata>().Concat(RetryAfter(problems)))
        {
            if (operation.Responses.TryGetValue(Status(header.Status), out var response) && response is OpenApiResponse target)
            {
                target.Headers ??= new Dictionary<string, IOpenApiHeader>();
                target.Headers[header.Name] = new OpenApiHeader { Description = header.Description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }
        }

        foreach (var example in metadata.OfType<ResponseExampleMetadata>())
        {
            if (operation.Responses.TryGetValue(Status(example.Status), out var response) && response.Content is { } content
                && content.TryGetValue("application/json", out var json))
            {
                json.Example = Json(example.Value);
            }
        }

        if (operation.RequestBody is OpenApiRequestBody { Content: { } bodies })
        {
            foreach (var example in metadata.OfType<RequestExampleMetadata>())
            {
                if (bodies.TryGetValue(example.ContentType, out var media))
                {
                    media.Examples ??= new Dictionary<string, IOpenApiExample>();
                    media.Examples[example.Name] = new OpenApiExample { Summary = example.Summary, Value = Json(example.Value) };
                }
            }
        }
    }

    private static IEnumerable<string> RouteParameters(string? path) =>
        System.Text.RegularExpressions.Regex.Matches(path ?? "", "{([A-Za-z]+)[^}]*}").Select(m => m.Groups[1].Value).Reverse();

    /// <summary>429 and 503 always carry Retry-After.</summary>
    private static IEnumerable<ResponseHeaderMetadata> RetryAfter(IEnumerable<ProblemCode> problems) => problems
        .Where(c => c.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        .Select(c => new ResponseHeaderMetadata(c.Status, Microsoft.Net.Http.Headers.HeaderNames.RetryAfter, "Seconds to wait before retrying."));

    private static JsonNode Example(ProblemCode code)
    {
        var example = new JsonObject { ["title"] = code.Title, ["status"] = code.Status, ["detail"] = code.Meaning, ["code"] = code.Code };
        if (code == ProblemCodes.ValidationFailed)
        {
            example["detail"] = "One or more fields are invalid.";
            example["errors"] = new JsonObject { ["terminalId"] = new JsonArray("Required.") };
        }

        return example;
    }

    private static JsonNode? Json(object value) => JsonSerializer.SerializeToNode(value, WidgetsJson.Options);

    private static string Status(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
