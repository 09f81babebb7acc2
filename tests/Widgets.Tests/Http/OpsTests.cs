using System.Net;
using System.Net.Sockets;
using System.Text;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Http;

/// <summary>Operations: health, readiness, OpenAPI, the dashboard, unknown routes, and the test host itself.</summary>
[Collection(GatewayCollection.Name)]
public sealed class OpsTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Gateway_serves_on_a_real_loopback_socket_and_keeps_its_data_in_the_configured_directory()
    {
        Assert.Equal("127.0.0.1", gateway.BaseAddress.Host);
        Assert.NotEqual(0, gateway.BaseAddress.Port);

        // A plain HttpClient owned by the test, not one the factory made: only a real socket can answer it.
        using (var plain = new HttpClient())
        {
            using var response = await plain.GetAsync(new Uri(gateway.BaseAddress, "/healthz"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // And a hand-written HTTP/1.1 request over a TCP connection.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, gateway.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{gateway.BaseAddress.Port}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.StartsWith("HTTP/1.1 200", await reader.ReadLineAsync());

        Assert.True(File.Exists(Path.Combine(gateway.DataDirectory, "widgets.db")), "the embedded silo's SQLite database is in Widgets:DataDirectory");
    }

    [Fact]
    public async Task Healthz_is_200()
    {
        using var response = await gateway.Anonymous().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_is_200_once_the_silo_and_storage_answer()
    {
        using var response = await gateway.Anonymous().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_document_is_json_and_describes_the_pos_and_token_routes()
    {
        using var response = await gateway.Anonymous().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = await response.ReadJson();
        Assert.StartsWith("3.", document.Text("openapi"));
        var paths = document["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/connect/token"), string.Join(", ", paths.Select(p => p.Key)));
        Assert.True(paths.ContainsKey("/v2/pos/{posSystemId}/widget/start"), string.Join(", ", paths.Select(p => p.Key)));
    }

    [Fact]
    public async Task Dashboard_is_served_to_loopback_without_credentials_in_Development()
    {
        var client = gateway.Anonymous();
        using var root = await client.GetAsync("/dashboard");
        Assert.True(root.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect,
            $"GET /dashboard answered {(int)root.StatusCode}");
        using var page = await client.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_route_is_404_problem_json_not_found()
    {
        using var response = await gateway.Anonymous().GetAsync("/v2/no-such-route");
        await response.Problem(HttpStatusCode.NotFound, "not_found");
    }
}
