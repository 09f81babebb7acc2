using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Options;
using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

/// <summary>Sends SMS through Twilio's Messages REST API (POST /2010-04-01/Accounts/{sid}/Messages.json).</summary>
public sealed class TwilioSmsTransport(HttpClient http, IOptions<TwilioOptions> options) : ISmsTransport
{
    public async Task<string?> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var config = options.Value;
        var url = $"{config.BaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(config.AccountSid!)}/Messages.json";
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(Fields(message, config)),
        };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{config.AccountSid}:{config.AuthToken}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"Twilio answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
        }

        var created = await response.Content.ReadFromJsonAsync<TwilioMessage>(cancellationToken);
        return created?.Sid;
    }

    private static Dictionary<string, string> Fields(OutboundMessage message, TwilioOptions config)
    {
        var fields = new Dictionary<string, string> { ["To"] = message.To, ["From"] = config.From!, ["Body"] = message.Text };
        if (message.StatusCallbackUrl is { } callback)
        {
            fields["StatusCallback"] = callback;
        }

        return fields;
    }

    private sealed record TwilioMessage(string? Sid, string? Status);
}
