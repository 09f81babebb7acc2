using System.Text.Json.Nodes;
using Widgets.Client.Http;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Client;

/// <summary>
/// The client is hand-written; this keeps it honest against the OpenAPI document the gateway serves: every operation the
/// client calls must be there with the bodies, answers, problems and headers the client sends and reads.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ClientOpenApiTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Every_operation_the_client_calls_is_in_the_served_OpenAPI_document_with_the_client_s_names_and_types()
    {
        var http = gateway.Anonymous();
        var contract = new OpenApiContract(JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!);
        var problems = new List<string>();

        foreach (var operation in ApiOperations.All)
        {
            var documented = contract.Find(operation.Method, operation.Route);
            if (documented is null)
            {
                problems.Add($"{operation.Method} {operation.Route} ({operation.Name}) is not in the document");
                continue;
            }

            problems.AddRange(contract.Compare(operation, documented));
        }

        Assert.True(problems.Count == 0, "The client and /openapi/v1.json disagree:\n" + string.Join("\n", problems));
    }
}
