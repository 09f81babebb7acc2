using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Http;

/// <summary>
/// Requests Kestrel cannot parse never reach the gateway's code, but their refusal reads like every other one:
/// problem+json with a <c>code</c>, and the connection closed. Sent as raw bytes, since HttpClient will not send them.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ParserRefusalTests(GatewayFixture gateway)
{
    [Theory]
    [InlineData("GET /v2/pos/demo%00/widgets/list HTTP/1.1\r\nHost: localhost\r\n\r\n", 400, "bad_request")]
    [InlineData("POST /v2/admin/pos/demo/locations/store-1/terminals/lane-7%00 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", 400, "bad_request")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n", 400, "bad_request")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", 400, "bad_request")]
    public async Task A_request_Kestrel_cannot_parse_gets_problem_json_with_a_code_and_the_connection_closes(string request, int status, string code)
    {
        var (head, body) = await SendRaw(request);

        Assert.StartsWith($"HTTP/1.1 {status} ", head, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/problem+json\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", head, StringComparison.Ordinal);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(code, problem["code"]!.GetValue<string>());
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.Contains("could not be parsed", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_of_the_application_pass_unchanged_on_a_kept_alive_connection()
    {
        // Two requests on one connection: an unknown route (the gateway's own problem+json), then a probe.
        var (head, body) = await SendRaw("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 404 ", head, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"not_found\"", body, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 200 OK", body, StringComparison.Ordinal);
    }

    /// <summary>Sends <paramref name="request"/> as is and reads until the server closes (or 10 s pass).</summary>
    private async Task<(string Head, string Body)> SendRaw(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, deadline.Token);
        var text = Encoding.UTF8.GetString(answer.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no complete answer: {text}");
        return (text[..(split + 2)], text[(split + 4)..]);
    }
}
