using Widgets.Catalogue;
using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

/// <summary>Routes each message to the sender of its channel.</summary>
public sealed class ChannelRouter(IEmailTransport email, ISmsTransport sms) : IMessageSender
{
    public Task<string?> SendAsync(OutboundMessage message, CancellationToken cancellationToken) =>
        message.Channel switch
        {
            WidgetChannel.Email => email.SendAsync(message, cancellationToken),
            WidgetChannel.Sms => sms.SendAsync(message, cancellationToken),
            _ => throw new ArgumentException($"Channel {message.Channel} carries no messages.", nameof(message)),
        };
}

public interface IEmailTransport : IMessageSender;

public interface ISmsTransport : IMessageSender;
