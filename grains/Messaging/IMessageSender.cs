using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

/// <summary>Delivers one rendered message over its channel; returns the provider's id for it.</summary>
public interface IMessageSender
{
    Task<string?> SendAsync(OutboundMessage message, CancellationToken cancellationToken);
}
