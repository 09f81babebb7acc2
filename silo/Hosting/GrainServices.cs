using Microsoft.Extensions.DependencyInjection.Extensions;
using Widgets.Grains;
using Widgets.Grains.Consent;
using Widgets.Grains.Journal;
using Widgets.Grains.Messaging;
using Widgets.Grains.Privacy;
using Widgets.Grains.Sessions;

namespace Widgets.Hosting;

/// <summary>The services grains depend on: session timing and wake-ups, the session journal, the clock, message delivery and retention.</summary>
public static class GrainServices
{
    public static IServiceCollection AddWidgetsGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        var widgets = WidgetsOptions.From(configuration);
        services.Configure<SessionOptions>(configuration.GetSection(SessionOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SessionDeadlines>();
        services.AddSingleton<SessionJournal>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SessionJournal>());
        services.AddSingleton<SessionWakeUp>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SessionWakeUp>());
        services.Configure<EmailOptions>(configuration.GetSection(EmailOptions.Section));
        services.Configure<TwilioOptions>(configuration.GetSection(TwilioOptions.Section));
        services.Configure<MessagingPolicy>(configuration.GetSection(MessagingPolicy.Section));
        services.Configure<OutboxOptions>(o => o.Directory = widgets.OutboxPath);
        services.AddSingleton<OutboxEraser>();
        services.Configure<PrivacyOptions>(configuration.GetSection(PrivacyOptions.Section));
        services.TryAddKeyedSingleton(PrivacyGrain.ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());

        var smtpHost = configuration[$"{EmailOptions.Section}:Smtp:Host"];
        if (string.IsNullOrEmpty(smtpHost))
        {
            services.TryAddSingleton<IEmailTransport, OutboxEmailTransport>();
        }
        else
        {
            services.TryAddSingleton<IEmailTransport, SmtpEmailTransport>();
        }

        var twilio = configuration.GetSection(TwilioOptions.Section).Get<TwilioOptions>() ?? new TwilioOptions();
        if (twilio.IsConfigured)
        {
            services.AddHttpClient<ISmsTransport, TwilioSmsTransport>(http => http.Timeout = TimeSpan.FromSeconds(15));
        }
        else
        {
            services.TryAddSingleton<ISmsTransport, OutboxSmsTransport>();
        }

        services.TryAddSingleton<IMessageSender, ChannelRouter>();
        return services;
    }
}
