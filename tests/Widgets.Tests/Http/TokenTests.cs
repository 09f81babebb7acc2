using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Http;

/// <summary>POST /connect/token: OAuth2 client credentials as ClearLine serves it.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TokenTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Basic_auth_token_request_returns_a_bearer_jwt_for_one_hour_with_the_granted_scope()
    {
        using var response = await gateway.RequestToken(GatewayFixture.PosClientId, GatewayFixture.PosClientSecret, "pos_integration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var token = await response.ReadJson();
        Assert.Null(token["data"]);
        Assert.Equal(["access_token", "expires_in", "scope", "token_type"], token.Keys());
        Assert.Equal("Bearer", token.Text("token_type"));
        Assert.Equal(3600, token.Int("expires_in"));
        Assert.Equal("pos_integration", token.Text("scope"));
        Assert.Equal(3, token.Text("access_token").Split('.').Length);
    }

    [Fact]
    public async Task Form_client_id_and_secret_are_accepted_instead_of_basic_auth()
    {
        using var client = gateway.Anonymous();
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "widgets_admin",
            ["client_id"] = GatewayFixture.AdminClientId,
            ["client_secret"] = GatewayFixture.AdminClientSecret,
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = await response.ReadJson();
        Assert.Equal("widgets_admin", token.Text("scope"));

        using var admin = gateway.Anonymous();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Text("access_token"));
        using var clients = await admin.GetAsync("/v2/admin/clients");
        await clients.Data();
    }

    [Fact]
    public async Task Wrong_secret_is_401_invalid_client()
    {
        using var response = await gateway.RequestToken(GatewayFixture.PosClientId, "not-the-secret", "pos_integration");

        var problem = await response.Problem(HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal("invalid_client", problem.Text("error"));
    }

    [Fact]
    public async Task Unknown_client_is_401_invalid_client()
    {
        using var response = await gateway.RequestToken("nobody", "whatever", "pos_integration");

        await response.Problem(HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Grant_type_other_than_client_credentials_is_400_unsupported_grant_type()
    {
        using var client = gateway.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password", ["scope"] = "pos_integration" }),
        };
        request.Headers.Authorization = Basic(GatewayFixture.PosClientId, GatewayFixture.PosClientSecret);
        using var response = await client.SendAsync(request);

        await response.Problem(HttpStatusCode.BadRequest, "unsupported_grant_type");
    }

    [Fact]
    public async Task Scope_the_client_is_not_granted_is_400_invalid_scope()
    {
        using var response = await gateway.RequestToken(GatewayFixture.PosClientId, GatewayFixture.PosClientSecret, "widgets_admin");

        await response.Problem(HttpStatusCode.BadRequest, "invalid_scope");
    }

    [Fact]
    public async Task Json_body_is_400_invalid_request()
    {
        using var client = gateway.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = GatewayJson.Body(new { grant_type = "client_credentials", scope = "pos_integration" }),
        };
        request.Headers.Authorization = Basic(GatewayFixture.PosClientId, GatewayFixture.PosClientSecret);
        using var response = await client.SendAsync(request);

        await response.Problem(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Revoked_client_token_stops_working_within_seconds_and_it_gets_no_new_token()
    {
        var location = await gateway.CreateLocationAsync();
        var list = new { posLocationId = location.LocationId };
        using (var before = await location.Pos.PostJson(location.PosRoute("widgets/list"), list))
        {
            await before.Data();
        }

        using (var revoked = await location.Admin.DeleteAsync($"/v2/admin/clients/{location.PosClientId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        async Task<HttpStatusCode> ListStatus()
        {
            using var response = await location.Pos.PostJson(location.PosRoute("widgets/list"), list);
            return response.StatusCode;
        }

        await Eventually.Returns(ListStatus, s => s == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5), "the revoked client's token to be refused");
        using (var refused = await location.Pos.PostJson(location.PosRoute("widgets/list"), list))
        {
            await refused.Problem(HttpStatusCode.Unauthorized, "unauthorized");
        }

        using var token = await gateway.RequestToken(location.PosClientId, location.PosClientSecret, "pos_integration");
        await token.Problem(HttpStatusCode.Unauthorized, "invalid_client");
    }

    private static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));
}
