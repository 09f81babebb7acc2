using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Consent;
using Widgets.Grains.Consent;
using Widgets.Grains.Messaging;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>
/// One session's state machine. Its inactivity deadline is watched twice: the silo's <see cref="SessionDeadlines"/>
/// wakes it on the deadline, and a durable reminder re-checks it if the silo is gone.
/// </summary>
public sealed class WidgetSessionGrain(
    [PersistentState("session", WidgetsStorage.Name)] IPersistentState<SessionRecord> state,
    IMessageSender sender,
    SessionDeadlines deadlines,
    IOptions<SessionOptions> options,
    IOptions<MessagingPolicy> policy,
    TimeProvider clock,
    ILogger<WidgetSessionGrain> logger) : Grain, IWidgetSessionGrain, IRemindable
{
    private const string TimeoutReminder = "timeout";

    private SessionRecord Session => state.State;

    private List<MessageRecord> MessageLog => Session.Messages ??= [];

    private bool IsActive => state.RecordExists && Session.State == SessionState.Active;

    private string SessionId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (IsActive)
        {
            // The deadline may have passed while no activation existed: end now rather than at the next reminder tick.
            await ExpireIfDue();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The new activation schedules its own deadline on its silo; a collected one keeps this silo's entry, which
        // wakes it on time.
        if (reason.ReasonCode == DeactivationReasonCode.Migrating)
        {
            deadlines.Cancel(this.GetGrainId());
        }

        return Task.CompletedTask;
    }

    public async Task<Outcome<SessionStarted>> Start(SessionStartInfo info)
    {
        if (state.RecordExists)
        {
            return Outcome<SessionStarted>.Fail(DomainError.Validation, $"Session {SessionId} already exists.");
        }

        var now = clock.GetUtcNow();
        var timeout = TimeSpan.FromSeconds(info.Widget.TimeoutSeconds);
        state.State = new SessionRecord
        {
            Location = info.Location,
            TerminalId = info.TerminalId,
            Widget = info.Widget,
            CouponId = info.CouponId,
            State = SessionState.Active,
            StartedAt = now,
            LastInteractionAt = now,
            ExpiresAt = now + timeout,
            StartFingerprint = info.StartFingerprint,
            TimeZone = info.TimeZone,
            FeedWatched = info.FeedWatched,
        };
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(TimeoutReminder, timeout, options.Value.ReminderPeriod);
        ScheduleDeadline();
        Count(WidgetCounter.Started);
        Publish(TerminalEventTypes.SessionStarted);
        logger.LogInformation("Session {SessionId} started: widget {WidgetId} on {Location}/{TerminalId}, expires {ExpiresAt:o}",
            SessionId, info.Widget.Id, info.Location, info.TerminalId, Session.ExpiresAt);
        return Outcome<SessionStarted>.Ok(new SessionStarted(SessionId, Session.ExpiresAt, info.Widget.TimeoutSeconds));
    }

    public Task<Outcome<SessionStarted>?> ReplayStart(string fingerprint)
    {
        if (!state.RecordExists)
        {
            return Task.FromResult<Outcome<SessionStarted>?>(null);
        }

        return Task.FromResult<Outcome<SessionStarted>?>(Session.StartFingerprint == fingerprint
            ? Outcome<SessionStarted>.Ok(new SessionStarted(SessionId, Session.ExpiresAt, Session.Widget.TimeoutSeconds))
            : KeyReused<SessionStarted>());
    }

    public Task<SessionView?> GetView() =>
        Task.FromResult(state.RecordExists ? Session.ToView(SessionId) : null);

    public async Task<Outcome<SessionTiming>> ShowQrCode(Interaction interaction)
    {
        if (Replay(interaction) is { } replay)
        {
            return replay.Timing is { } timing ? Outcome<SessionTiming>.Ok(timing) : KeyReused<SessionTiming>();
        }

        if (Refuse(interaction.Address) is { } refusal)
        {
            return refusal.Cast<SessionTiming>();
        }

        MergeProfile(interaction.Profile);
        if (Session.QrShownAt is null)
        {
            Session.QrShownAt = clock.GetUtcNow();
            Count(WidgetCounter.QrShown);
        }

        Touch();
        Publish(TerminalEventTypes.QrShown);
        var result = new SessionTiming(Session.ExpiresAt, Session.Widget.TimeoutSeconds);
        Remember(interaction, new ReplayEntry { Timing = result });
        await state.WriteStateAsync();
        return Outcome<SessionTiming>.Ok(result);
    }

    public async Task<Outcome<IReadOnlyList<MessageRecord>>> SendMessage(SendMessageCommand command)
    {
        if (Replay(command.Interaction) is { } replay)
        {
            return replay.MessageIds is { } ids
                ? Outcome<IReadOnlyList<MessageRecord>>.Ok(ids.Select(id => MessageLog.First(m => m.MessageId == id)).ToList())
                : KeyReused<IReadOnlyList<MessageRecord>>();
        }

        if (Refuse(command.Interaction.Address) is { } refusal)
        {
            return refusal.Cast<IReadOnlyList<MessageRecord>>();
        }

        var allowed = command.Recipients.Where(r => Session.Widget.Channels.Contains(r.Channel)).ToList();
        if (allowed.Count == 0)
        {
            return Outcome<IReadOnlyList<MessageRecord>>.Fail(DomainError.ChannelNotAllowed,
                $"Widget {Session.Widget.Id} is not offered by {string.Join(" or ", command.Recipients.Select(r => r.Channel))}; it allows {string.Join(", ", Session.Widget.Channels)}.");
        }

        MergeProfile(command.Interaction.Profile);
        var results = new List<MessageRecord>();
        foreach (var recipient in allowed)
        {
            var existing = FindDelivered(recipient);
            results.Add(existing is { Status: not MessageStatus.Queued } ? existing : await Deliver(recipient, command, existing));
        }

        Touch();
        Remember(command.Interaction, new ReplayEntry { MessageIds = results.Select(m => m.MessageId).ToList() });
        await state.WriteStateAsync();
        return Outcome<IReadOnlyList<MessageRecord>>.Ok(results);
    }

    public async Task<Outcome<SessionView>> Cancel(SessionAddress address)
    {
        if (Refuse(address) is { } refusal)
        {
            return refusal;
        }

        await End(SessionState.Cancelled, "cancelled by the POS");
        return Outcome<SessionView>.Ok(Session.ToView(SessionId));
    }

    public Task WatchFeed()
    {
        // Saved with the session's next write; until then a restart only loses events nobody may be watching.
        if (state.RecordExists)
        {
            Session.FeedWatched = true;
        }

        return Task.CompletedTask;
    }

    public Task Supersede() => IsActive ? End(SessionState.Superseded, "another session started on the terminal") : Task.CompletedTask;

    public async Task<Outcome<LandingView>> OpenLanding()
    {
        if (!state.RecordExists)
        {
            return Outcome<LandingView>.Fail(DomainError.SessionNotFound, "This link does not lead to a session.");
        }

        if (Session.ScannedAt is null)
        {
            Session.ScannedAt = clock.GetUtcNow();
            Count(WidgetCounter.Scanned);
            if (IsActive)
            {
                Touch();
            }

            Publish(TerminalEventTypes.QrScanned);

            await state.WriteStateAsync();
        }

        return Outcome<LandingView>.Ok(new LandingView
        {
            SessionId = SessionId,
            Location = Session.Location,
            Widget = Session.Widget,
            Profile = Session.Profile,
            Converted = Session.ConvertedAt is not null,
            CouponCode = Session.CouponCode,
        });
    }

    public async Task<Outcome<ConversionReceipt>> SubmitLanding(LandingSubmission submission)
    {
        if (!state.RecordExists)
        {
            return Outcome<ConversionReceipt>.Fail(DomainError.SessionNotFound, "This link does not lead to a session.");
        }

        var widget = Session.Widget;
        if (Session.ConvertedAt is not null)
        {
            return Outcome<ConversionReceipt>.Ok(new ConversionReceipt(widget.Type, Session.CouponCode, AlreadyConverted: true));
        }

        var errors = LandingRules.Check(widget, submission);
        if (errors.Count > 0)
        {
            return Outcome<ConversionReceipt>.Invalid(errors);
        }

        var ledger = GrainFactory.Grain<IWidgetLedgerGrain>(GrainKeys.Widget(Session.Location, widget.Id));
        if (widget.Type == WidgetType.ContestEntry && !await ledger.TryEnterContest(ContactKey(submission), SessionId))
        {
            return Outcome<ConversionReceipt>.Fail(DomainError.AlreadyEntered, "This contact has already entered this contest.");
        }

        if (widget.Type == WidgetType.CouponDelivery)
        {
            Session.CouponCode = await ledger.IssueCoupon(SessionId, widget.Settings.CouponCodes, widget.Settings.CouponPrefix);
            if (Session.CouponCode is null)
            {
                return Outcome<ConversionReceipt>.Fail(DomainError.CouponsExhausted, "All coupons of this offer have been handed out.");
            }
        }

        var now = clock.GetUtcNow();
        Session.ConvertedAt = now;
        await RecordConversion(submission, now);
        Publish(TerminalEventTypes.Converted);
        if (IsActive)
        {
            await End(SessionState.Completed, "converted");
        }
        else
        {
            await state.WriteStateAsync();
        }

        return Outcome<ConversionReceipt>.Ok(new ConversionReceipt(widget.Type, Session.CouponCode, AlreadyConverted: false));
    }

    public Task<ScreenView?> GetScreen() => Task.FromResult(state.RecordExists
        ? new ScreenView(SessionId, Session.Widget.Content.Headline ?? Session.Widget.Name, Session.Widget.Content.Body,
            Session.State, Session.ExpiresAt, Session.ScannedAt is not null, Session.ConvertedAt is not null)
        : null);

    public async Task ExpireIfDue()
    {
        if (!IsActive)
        {
            // A late wake-up (the reminder, or another silo's scheduler) of a session that already ended: tidy up
            // and free the activation the call created.
            await DropReminder();
            this.DeactivateOnIdle();
            return;
        }

        if (clock.GetUtcNow() >= Session.ExpiresAt)
        {
            await End(SessionState.TimedOut, $"no interaction for {Session.Widget.TimeoutSeconds} s");
        }
        else
        {
            ScheduleDeadline();
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == TimeoutReminder ? ExpireIfDue() : Task.CompletedTask;

    private Outcome<SessionView>? Refuse(SessionAddress address)
    {
        if (!state.RecordExists || address.Location != Session.Location
            || (address.TerminalId is { } t && t != Session.TerminalId)
            || (address.WidgetId is { } w && w != Session.Widget.Id))
        {
            return Outcome<SessionView>.Fail(DomainError.SessionNotFound,
                "No session with this id exists for this location, terminal and widget.");
        }

        return IsActive
            ? null
            : Outcome<SessionView>.Fail(DomainError.SessionEnded,
                $"Session ended ({Session.State}: {Session.EndReason}); start a new session.");
    }

    /// <summary>The stored answer to this request's Idempotency-Key; an entry without a result marks a key reused for another request.</summary>
    private ReplayEntry? Replay(Interaction interaction)
    {
        if (interaction.Idempotency is not { } key || !state.RecordExists || interaction.Address.Location != Session.Location
            || Session.Replays is null || !Session.Replays.TryGetValue(key.Key, out var entry))
        {
            return null;
        }

        return entry.Fingerprint == key.Fingerprint ? entry : new ReplayEntry();
    }

    private void Remember(Interaction interaction, ReplayEntry entry)
    {
        if (interaction.Idempotency is { } key)
        {
            entry.Fingerprint = key.Fingerprint;
            (Session.Replays ??= new(StringComparer.Ordinal))[key.Key] = entry;
        }
    }

    private static Outcome<T> KeyReused<T>() => Outcome<T>.Fail(DomainError.IdempotencyConflict,
        "This Idempotency-Key was already used with a different request; use a new key for a new request.");

    private MessageRecord? FindDelivered(Recipient recipient) =>
        // Failed and withheld messages do not count: a retry (after START, after quiet hours) decides afresh.
        Session.Messages?.FirstOrDefault(m => m.Channel == recipient.Channel && m.To == recipient.Address
            && m.Status is not (MessageStatus.Failed or MessageStatus.Suppressed));

    /// <summary>
    /// Sends one message. It is recorded as queued before it is handed to the provider, so a send cut short by a
    /// dying silo is found on retry and sent again under the same message id (email Message-ID): delivery is at
    /// least once, and a repeat is recognisable as the same message, never a second different one.
    /// </summary>
    private async Task<MessageRecord> Deliver(Recipient recipient, SendMessageCommand command, MessageRecord? inDoubt)
    {
        var record = inDoubt;
        if (record is null)
        {
            var now = clock.GetUtcNow();
            record = new MessageRecord
            {
                MessageId = Guid.NewGuid().ToString("N"),
                Channel = recipient.Channel,
                To = recipient.Address,
                At = now,
                Consent = command.Consent,
                Status = MessageStatus.Queued,
            };
            if (await Withhold(recipient, now) is { } reason)
            {
                record = record with { Status = MessageStatus.Suppressed, Reason = reason };
                MessageLog.Add(record);
                return record;
            }

            MessageLog.Add(record);
            await state.WriteStateAsync();
        }

        var messageId = record.MessageId;
        var callback = command.StatusCallbackBase is { } callbackBase ? $"{callbackBase}/{messageId}" : null;
        var message = MessageComposer.Compose(messageId, recipient, Session.Widget, Session.Profile, command.LandingUrl) with { StatusCallbackUrl = callback };
        try
        {
            var providerId = await sender.SendAsync(message, CancellationToken.None);
            record = record with { Status = MessageStatus.Sent, ProviderMessageId = providerId };
            Count(WidgetCounter.MessagesSent);
            Publish(TerminalEventTypes.MessageSent);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Provider errors often quote the recipient: log the kind of failure, never the message text.
            logger.LogWarning("Session {SessionId}: {Channel} message {MessageId} failed with {ErrorType}", SessionId, recipient.Channel, messageId, ex.GetType().Name);
            record = record with { Status = MessageStatus.Failed, Error = ex.Message };
        }

        MessageLog[MessageLog.FindIndex(m => m.MessageId == messageId)] = record;
        return record;
    }

    /// <summary>Why this message must not go out (quiet hours, opt-out, the daily limit); null when it may.</summary>
    private async Task<string?> Withhold(Recipient recipient, DateTimeOffset now)
    {
        var rules = policy.Value;
        if (recipient.Channel == WidgetChannel.Sms && rules.IsQuiet(now, Session.TimeZone))
        {
            return "quietHours";
        }

        var key = recipient.Channel == WidgetChannel.Sms ? RecipientKeys.Sms(recipient.Address) : RecipientKeys.Email(recipient.Address);
        var decision = await GrainFactory.Grain<IRecipientGrain>(key)
            .RequestSend(Session.Location, DateOnly.FromDateTime(now.UtcDateTime), rules.DailyLimitPerRecipient);
        return decision switch
        {
            SendDecision.OptedOut => "optedOut",
            SendDecision.DailyLimit => "dailyLimit",
            _ => null,
        };
    }

    public async Task<bool> UpdateDelivery(string messageId, MessageStatus status, string? error)
    {
        var at = state.RecordExists && Session.Messages is { } messages ? messages.FindIndex(m => m.MessageId == messageId) : -1;
        if (at < 0)
        {
            return false;
        }

        var current = MessageLog[at];
        if (current.Status is MessageStatus.Delivered or MessageStatus.Suppressed || current.Status == status)
        {
            return true;
        }

        MessageLog[at] = current with { Status = status, Error = error ?? current.Error };
        await state.WriteStateAsync();
        return true;
    }

    private async Task RecordConversion(LandingSubmission form, DateTimeOffset now)
    {
        var record = new ConversionRecord
        {
            SessionId = SessionId,
            WidgetId = Session.Widget.Id,
            WidgetType = Session.Widget.Type,
            TerminalId = Session.TerminalId,
            At = now,
            FirstName = form.FirstName,
            LastName = form.LastName,
            Email = form.Email,
            Phone = form.Phone,
            Consent = new ConsentRecord { Marketing = form.Consent, Text = form.ConsentText, At = now, TerminalId = Session.TerminalId },
            Answers = form.Answers.Count > 0 ? new Dictionary<string, string>(form.Answers) : null,
            CouponCode = Session.CouponCode,
        };
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        await GrainFactory.Grain<IConversionLogGrain>(GrainKeys.LocationDay(Session.Location, day)).Append(record);
        Count(WidgetCounter.Converted);
    }

    private async Task End(SessionState final, string reason)
    {
        if (!IsActive)
        {
            return;
        }

        Session.State = final;
        Session.EndedAt = clock.GetUtcNow();
        Session.EndReason = reason;
        await state.WriteStateAsync();
        deadlines.Cancel(this.GetGrainId());
        await DropReminder();
        GrainFactory.Grain<ILocationGrain>(Session.Location.ToString()).OnSessionEnded(Session.TerminalId, SessionId).Ignore();
        if (final is SessionState.TimedOut or SessionState.Cancelled)
        {
            Count(final == SessionState.TimedOut ? WidgetCounter.TimedOut : WidgetCounter.Cancelled);
        }

        Publish(TerminalEventTypes.SessionEnded);
        logger.LogInformation("Session {SessionId} ended as {State}: {Reason}", SessionId, final, reason);

        // An ended session is read rarely (a late GET, a landing page); its state is stored, so free the memory now
        // rather than when idle activations are collected.
        this.DeactivateOnIdle();
    }

    private async Task DropReminder()
    {
        if (await this.GetReminder(TimeoutReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void Touch()
    {
        var now = clock.GetUtcNow();
        Session.LastInteractionAt = now;
        Session.ExpiresAt = now + TimeSpan.FromSeconds(Session.Widget.TimeoutSeconds);
        ScheduleDeadline();
    }

    // SessionDeadlines ignores a deadline it already holds, so repeating one is cheap.
    private void ScheduleDeadline() => deadlines.Schedule(this.GetGrainId(), Session.ExpiresAt);

    private void MergeProfile(CustomerProfile? profile)
    {
        if (profile is null)
        {
            return;
        }

        var current = Session.Profile;
        Session.Profile = new CustomerProfile
        {
            FirstName = NonEmpty(profile.FirstName) ?? current.FirstName,
            LastName = NonEmpty(profile.LastName) ?? current.LastName,
            CustomerEmail = NonEmpty(profile.CustomerEmail) ?? current.CustomerEmail,
            CustomerPhone = NonEmpty(profile.CustomerPhone) ?? current.CustomerPhone,
            SalesPerson = NonEmpty(profile.SalesPerson) ?? current.SalesPerson,
        };
    }

    private void Count(WidgetCounter counter)
    {
        var day = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        GrainFactory.Grain<IWidgetStatsGrain>(GrainKeys.LocationDay(Session.Location, day))
            .Add([new CounterIncrement(Session.Widget.Id, Session.TerminalId, counter, 1)])
            .Ignore();
    }

    private void Publish(string type)
    {
        if (Session.FeedWatched)
        {
            GrainFactory.Grain<ITerminalFeedGrain>(GrainKeys.Terminal(Session.Location, Session.TerminalId))
                .Publish(new TerminalEvent(type, SessionId, Session.Widget.Id, Session.State, clock.GetUtcNow(), Session.ExpiresAt))
                .Ignore();
        }
    }

    private static string ContactKey(LandingSubmission form) =>
        (string.IsNullOrEmpty(form.Email) ? form.Phone ?? "" : form.Email).Trim().ToLowerInvariant();

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
