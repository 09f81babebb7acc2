using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Widgets.Tests.Infrastructure;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Console;

/// <summary>Signs in to the console as a person would (a browser) or as a script would (HTTP with a cookie jar).</summary>
public static partial class ConsoleSession
{
    public static string LocationPath(GatewayLocation location, string page = "") =>
        $"/console/locations/{location.PosSystemId}/{location.LocationId}" + (page.Length > 0 ? "/" + page : "");

    /// <summary>A fresh browser context on a 1280×800 window, signed in with the form.</summary>
    public static async Task<(IBrowserContext Context, IPage Page)> SignedIn(IBrowser browser, GatewayFixture gateway, string clientId, string secret,
        int width = 1280, int height = 800)
    {
        // The machine is shared: wait as long as the other gateway tests do.
        SetDefaultExpectTimeout((float)GatewayFixture.Patience.TotalMilliseconds);
        var context = await browser.NewContextAsync(new() { BaseURL = gateway.BaseAddress.ToString(), ViewportSize = new() { Width = width, Height = height } });
        context.SetDefaultTimeout((float)GatewayFixture.Patience.TotalMilliseconds);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/console/");
        await SignIn(page, clientId, secret);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Locations", Exact = true })).ToBeVisibleAsync();
        return (context, page);
    }

    public static async Task SignIn(IPage page, string clientId, string secret)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GetByLabel("Client id").FillAsync(clientId);
        await page.GetByLabel("Client secret").FillAsync(secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>An HTTP client holding a console cookie of <paramref name="clientId"/>; redirects are not followed.</summary>
    public static async Task<ConsoleHttp> Http(GatewayFixture gateway, string clientId, string secret)
    {
        var http = new ConsoleHttp(gateway.BaseAddress);
        using var signedIn = await http.PostForm("/console/signin", "signin", new() { ["Form.ClientId"] = clientId, ["Form.Secret"] = secret });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return http;
    }
}

/// <summary>A script's view of the console: a cookie jar, and forms posted with the page's antiforgery token.</summary>
public sealed partial class ConsoleHttp(Uri baseAddress, IPAddress? from = null) : IDisposable
{
    private readonly HttpClient client = new(Handler(from)) { BaseAddress = baseAddress };

    public HttpClient Client => client;

    public Task<HttpResponseMessage> Get(string path) => client.GetAsync(path);

    /// <summary>
    /// Opens <paramref name="path"/> (or <paramref name="tokenFrom"/>, a page this client may open) for its antiforgery
    /// token and posts the form named <paramref name="handler"/> with <paramref name="fields"/> to <paramref name="path"/>.
    /// </summary>
    public async Task<HttpResponseMessage> PostForm(string path, string handler, Dictionary<string, string> fields, bool withToken = true, string? tokenFrom = null)
    {
        var page = await client.GetStringAsync(tokenFrom ?? path);
        var body = new List<KeyValuePair<string, string>>(fields) { new("_handler", handler) };
        if (withToken)
        {
            body.Add(new("__RequestVerificationToken", Token().Match(page).Groups[1].Value));
        }

        return await client.PostAsync(path, new FormUrlEncodedContent(body));
    }

    public void Dispose() => client.Dispose();

    /// <summary>Cookies kept, redirects not followed; connections from <paramref name="from"/> (any 127.x.y.z is loopback) when given.</summary>
    private static SocketsHttpHandler Handler(IPAddress? from)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        if (from is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
