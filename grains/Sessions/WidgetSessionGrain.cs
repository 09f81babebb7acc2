using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Consent;
using Widgets.Grains.Consent;
using Widgets.Grains.Journal;
using Widgets.Grains.Messaging;
using Widgets.Grains.Telemetry;
using Widgets.Keys;
using Widgets.Privacy;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>
/// One session's state machine. Its inactivity deadline is watched twice: the silo's <see cref="SessionDeadlines"/>
/// wakes it on the deadline, and a durable reminder re-checks it if the silo is gone (and the start-up wake-up,
/// <see cref="SessionWakeUp"/>, at once after a restart). The session's row in the <see cref="SessionJournal"/> is the
/// funnel count; the reminder outlives every change the row has not caught up with.
/// </summary>
public sealed class WidgetSessionGrain(
    [PersistentState("session", WidgetsStorage.Name)] IPersistentState<SessionRecord> state,
    IMessageSender sender,
    SessionDeadlines deadlines,
    SessionJournal journal,
    OutboxEraser outbox,
    IOptions<SessionOptions> options,
    IOptions<MessagingPolicy> policy,
    TimeProvider clock,
    ILogger<WidgetSessionGrain> logger) : Grain, IWidgetSessionGrain, IRemindable
{
    /// <summary>The reminder that ends a session whose silo is gone; <see cref="SessionWakeUp"/> looks for it by name.</summary>
    public const string TimeoutReminder = "timeout";

    /// <summary>An ended session storing its final journal row, after which it drops its reminder and frees its activation.</summary>
    private Task forgetting = Task.CompletedTask;

    /// <summary>
    /// The timeout reminder this activation registered, kept so dropping it needs no read of the reminder table (one
    /// SQLite or PostgreSQL read per session). Null when this activation did not register it: then it is read.
    /// </summary>
    private IGrainReminder? timeoutReminder;

    /// <summary>
    /// The addresses the last row this activation queued was made from (<see cref="ContactsHeld"/>), null for none: a
    /// change queues a new row (<see cref="Save"/>), so the journal finds the session by every address it holds.
    /// </summary>
    private Contacts? journaledContacts;

    private SessionRecord Session => state.State;

    private List<MessageRecord> MessageLog => Session.Messages ??= [];

    private bool IsActive => state.RecordExists && Session.State == SessionState.Active;

    private string SessionId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists)
        {
            return;
        }

        Session.UpgradeFromEarlierBuild();
        if (SettleInterruptedSends())
        {
            await Save(funnelChanged: true);
        }

        if (IsActive)
        {
            // A live session's row is written in batches, which a crash can lose: write it again.
            Journal();

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
            // A keyed start that raced another with the same key (on another terminal, so through another terminal grain).
            return info.StartFingerprint is { } fingerprint
                ? await ReplayStart(fingerprint) ?? KeyReused<SessionStarted>()
                : Outcome<SessionStarted>.Fail(DomainError.Validation, $"Session {SessionId} already exists.");
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
            Journaled = true,
        };

        // The reminder first: a record never exists without the reminder that ends it, even if the process stops here.
        timeoutReminder = await this.RegisterOrUpdateReminder(TimeoutReminder, timeout, options.Value.ReminderPeriod);
        await state.WriteStateAsync();
        ScheduleDeadline();
        Journal();
        WidgetsTelemetry.Step(WidgetCounter.Started, info.Widget.Type);
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
        var firstShowing = Session.QrShownAt is null;
        Session.QrShownAt ??= clock.GetUtcNow();
        if (firstShowing)
        {
            WidgetsTelemetry.Step(WidgetCounter.QrShown, Session.Widget.Type);
        }

        Touch();
        Publish(TerminalEventTypes.QrShown);
        var result = new SessionTiming(Session.ExpiresAt, Session.Widget.TimeoutSeconds);
        Remember(interaction, new ReplayEntry { Timing = result });
        await Save(funnelChanged: firstShowing);
        return Outcome<SessionTiming>.Ok(result);
    }

    public async Task<Outcome<IReadOnlyList<MessageRecord>>> SendMessage(SendMessageCommand command)
    {
        if (SettleInterruptedSends())
        {
            await Save(funnelChanged: true);
        }

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
        var now = clock.GetUtcNow();
        var results = new List<MessageRecord>();
        var toSend = new List<Recipient>();
        foreach (var recipient in allowed)
        {
            if (FindDelivered(recipient) is { } existing)
            {
                results.Add(existing);
                continue;
            }

            var record = new MessageRecord
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
                WidgetsTelemetry.Message(recipient.Channel, MessageStatus.Suppressed);
            }
            else
            {
                toSend.Add(recipient);
            }

            MessageLog.Add(record);
            results.Add(record);
        }

        Touch();
        Remember(command.Interaction, new ReplayEntry { MessageIds = results.Select(m => m.MessageId).ToList() });

        // Stored before any hand-off, with the answer a keyed retry replays: if the process stops during a hand-off,
        // the message is found queued afterwards and reported as unknown, never handed over a second time. A new
        // recipient's row follows in the journal's next batch.
        await Save(funnelChanged: false);
        if (toSend.Count == 0)
        {
            return Outcome<IReadOnlyList<MessageRecord>>.Ok(results);
        }

        foreach (var recipient in toSend)
        {
            var at = results.FindIndex(m => m.Status == MessageStatus.Queued && m.Channel == recipient.Channel && m.To == recipient.Address);
            results[at] = await Deliver(recipient, command, results[at]);
        }

        await Save(funnelChanged: results.Any(m => m.Status == MessageStatus.Sent));
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
            WidgetsTelemetry.Step(WidgetCounter.Scanned, Session.Widget.Type);
            if (IsActive)
            {
                Touch();
            }

            Publish(TerminalEventTypes.QrScanned);
            await Save(funnelChanged: true);
        }

        return Outcome<LandingView>.Ok(new LandingView
        {
            SessionId = SessionId,
            Location = Session.Location,
            Widget = Session.Widget.ToDefinition(),
            Profile = Session.Profile,
            Converted = Session.ConvertedAt is not null,
            CouponCode = Session.CouponCode,
            Ended = !IsActive,
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
            Session.CouponCode = await ledger.IssueCoupon(SessionId);
            if (Session.CouponCode is null)
            {
                return Outcome<ConversionReceipt>.Fail(DomainError.CouponsExhausted, "All coupons of this offer have been handed out.");
            }
        }

        var now = clock.GetUtcNow();
        Session.ConvertedAt = now;
        await RecordConversion(submission, now);
        WidgetsTelemetry.Step(WidgetCounter.Converted, widget.Type);
        Publish(TerminalEventTypes.Converted);
        if (IsActive)
        {
            await End(SessionState.Completed, "converted");
        }
        else
        {
            await Save(funnelChanged: true);
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
            // A late wake-up (the reminder, the start-up wake-up, another silo's scheduler) of a session that already
            // ended. A reminder still held means the process stopped between the end and the journal: store the row,
            // then drop the reminder. Either way, free the activation the call created.
            await forgetting;
            if (await this.GetReminder(TimeoutReminder) is { } reminder)
            {
                await JournalDurably(JournalWrite.Now);
                await this.UnregisterReminder(reminder);
            }

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

    public async Task<SessionErasure> ErasePersonalData()
    {
        if (!state.RecordExists)
        {
            return new SessionErasure(false, 0, 0);
        }

        // An ended session storing its final row: let it finish, so the row written below is the last.
        await forgetting;
        var messages = Session.Messages ?? [];
        var addressed = messages.Where(m => m.To.Length > 0).ToList();
        var erased = Session.HoldsPersonalData;
        if (erased)
        {
            Session.ErasePersonalData();
            await state.WriteStateAsync();
        }

        // Also when nothing was left to erase: a crash after the state write must not leave the copies or the row's
        // contact hashes behind, and the call that finds them again repairs both.
        await outbox.Erase(messages.Select(m => m.MessageId).ToList(), CancellationToken.None);
        await JournalDurably(JournalWrite.Now);
        journaledContacts = ContactsHeld();
        if (erased)
        {
            logger.LogInformation("Session {SessionId}: personal data erased ({Messages} message addresses)", SessionId, addressed.Count);
        }

        if (!IsActive)
        {
            this.DeactivateOnIdle();
        }

        return new SessionErasure(erased, addressed.Count, Session.Widget.Id);
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
    /// Hands one message, already stored as queued, to its provider. The message id goes with it (email Message-ID,
    /// and the SMS status callback URL), so the provider's delivery report can still settle a send whose answer the
    /// process did not live to record.
    /// </summary>
    private async Task<MessageRecord> Deliver(Recipient recipient, SendMessageCommand command, MessageRecord record)
    {
        var messageId = record.MessageId;
        var callback = command.StatusCallbackBase is { } callbackBase ? $"{callbackBase}/{messageId}" : null;
        var message = MessageComposer.Compose(messageId, recipient, Session.Widget, Session.Profile, command.LandingUrl) with { StatusCallbackUrl = callback };
        using var span = WidgetsTelemetry.StartSend(recipient.Channel);
        try
        {
            var providerId = await sender.SendAsync(message, CancellationToken.None);
            record = record with { Status = MessageStatus.Sent, ProviderMessageId = providerId };
            WidgetsTelemetry.Step(WidgetCounter.MessagesSent, Session.Widget.Type);
            Publish(TerminalEventTypes.MessageSent);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Provider errors often quote the recipient: log the kind of failure, never the message text.
            logger.LogWarning("Session {SessionId}: {Channel} message {MessageId} failed with {ErrorType}", SessionId, recipient.Channel, messageId, ex.GetType().Name);
            record = record with { Status = MessageStatus.Failed, Error = ex.Message };
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
        }

        WidgetsTelemetry.Message(recipient.Channel, record.Status);

        MessageLog[MessageLog.FindIndex(m => m.MessageId == messageId)] = record;
        return record;
    }

    /// <summary>
    /// Reports every message still queued as <see cref="MessageStatus.Unknown"/>: it was handed to its provider (or
    /// about to be) when the process stopped or the call was cut off, so whether the customer got it is not known. It
    /// is never handed over again: a second text is worse than a missing one, and the customer can still scan the QR
    /// code. The provider's delivery report settles it (<see cref="UpdateDelivery"/>). Returns whether any changed.
    /// </summary>
    private bool SettleInterruptedSends()
    {
        var changed = false;
        for (var i = 0; Session.Messages is { } messages && i < messages.Count; i++)
        {
            if (messages[i].Status == MessageStatus.Queued)
            {
                messages[i] = messages[i] with { Status = MessageStatus.Unknown };
                changed = true;
                WidgetsTelemetry.Message(messages[i].Channel, MessageStatus.Unknown);
                logger.LogWarning("Session {SessionId}: {Channel} message {MessageId} was handed over when the process stopped; its delivery is unknown and it is not sent again",
                    SessionId, messages[i].Channel, messages[i].MessageId);
            }
        }

        return changed;
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
        await Save(funnelChanged: CountsAsSent(current.Status) != CountsAsSent(status)
            || (current.Status == MessageStatus.Unknown) != (status == MessageStatus.Unknown));
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
        CountEnd(final);
        GrainFactory.Grain<ITerminalGrain>(GrainKeys.Terminal(Session.Location, Session.TerminalId)).OnSessionEnded(SessionId).Ignore();
        Publish(TerminalEventTypes.SessionEnded);
        logger.LogInformation("Session {SessionId} ended as {State}: {Reason}", SessionId, final, reason);
        forgetting = ForgetOnceJournaled();
    }

    private void CountEnd(SessionState final)
    {
        WidgetsTelemetry.SessionEnded(final, Session.Widget.Type);
        if (final is SessionState.TimedOut or SessionState.Cancelled)
        {
            WidgetsTelemetry.Step(final == SessionState.TimedOut ? WidgetCounter.TimedOut : WidgetCounter.Cancelled, Session.Widget.Type);
        }
    }

    /// <summary>
    /// Drops the reminder once the journal holds the session's final row (not before: if the process stops in between,
    /// the reminder or the start-up wake-up brings the session back and the late wake-up stores the row), then frees
    /// the activation: an ended session is read rarely (a late GET, a landing page) and its state is stored. Not
    /// awaited by <see cref="End"/>: the row waits briefly for other sessions' ends, and nobody needs to wait for it.
    /// </summary>
    private async Task ForgetOnceJournaled()
    {
        try
        {
            await JournalDurably(JournalWrite.Soon);
            await DropReminder();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Session {SessionId} keeps its reminder: its final journal row or the reminder's removal failed; the reminder retries", SessionId);
        }

        this.DeactivateOnIdle();
    }

    /// <summary>
    /// Stores a change. When it changes the session's funnel row, the row follows: in the next batch while the
    /// session is live (its reminder covers a lost batch), or stored before this returns once the session has ended
    /// (a late scan, conversion or delivery report), under a reminder held until the row is in, since nothing else
    /// would bring an ended session back to repair it. When a live session's contacts change (a profile, a new
    /// recipient), its row follows in the next batch too, so the journal finds the session by every address it holds;
    /// an erasure flushes its silo's batch first and, in a cluster, waits out one batch period for the other silos'
    /// (<see cref="Privacy.PrivacyGrain"/>). Not awaited here: an awaited row per contact change cost the POS flow a
    /// fifth of its throughput (docs/DECISIONS.md, "Every contact, findable at once").
    /// </summary>
    private async Task Save(bool funnelChanged)
    {
        if (!Session.Journaled)
        {
            await state.WriteStateAsync();
            return;
        }

        if (IsActive)
        {
            await state.WriteStateAsync();
            if (funnelChanged || ContactsHeld() != journaledContacts)
            {
                Journal();
            }

            return;
        }

        if (!funnelChanged)
        {
            await state.WriteStateAsync();
            return;
        }

        await forgetting;
        var period = options.Value.ReminderPeriod;
        var reminder = await this.RegisterOrUpdateReminder(TimeoutReminder, period, period);
        await state.WriteStateAsync();
        await JournalDurably(JournalWrite.Now);
        await this.UnregisterReminder(reminder);
        timeoutReminder = null;
    }

    private async Task DropReminder()
    {
        if (timeoutReminder is { } registered)
        {
            timeoutReminder = null;
            try
            {
                // A row already gone counts as removed (Orleans checks); only a row re-registered elsewhere (another
                // activation during a failover) has a newer version than ours: then read it, below.
                await this.UnregisterReminder(registered);
                return;
            }
            catch (ReminderException)
            {
            }
        }

        if (await this.GetReminder(TimeoutReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Queues the session's funnel row for the next batch.</summary>
    private void Journal()
    {
        if (Session.Journaled)
        {
            journal.Record(Row(), JournalWrite.Batched).Ignore();
            journaledContacts = ContactsHeld();
        }
    }

    /// <summary>Stores the session's funnel row; the task completes once it is stored.</summary>
    private Task JournalDurably(JournalWrite when) =>
        state.RecordExists && Session.Journaled ? journal.Record(Row(), when) : Task.CompletedTask;

    private FunnelRow Row()
    {
        var messages = Session.Messages ?? [];

        // Every address the session holds, recipients first (sent, withheld or failed alike), then the profile's; the
        // POS's phone as it sent it too, beside the SMS's normalised form: an erasure looks for each form a phone is
        // written in. The first email and phone go in the indexed columns, the rest in OtherContactHashes.
        var emails = Hashes(messages.Where(m => m.Channel == WidgetChannel.Email).Select(m => m.To).Append(Session.Profile.CustomerEmail), ContactHash.Email);
        var phones = Hashes(messages.Where(m => m.Channel == WidgetChannel.Sms).Select(m => m.To).Append(Session.Profile.CustomerPhone), ContactHash.Phone);
        var others = emails.Skip(1).Concat(phones.Skip(1)).ToList();
        return new FunnelRow(
            SessionId,
            Session.Location,
            DateOnly.FromDateTime(Session.StartedAt.UtcDateTime),
            Session.Widget.Id,
            Session.TerminalId,
            Session.StartedAt,
            Session.QrShownAt is not null,
            messages.Count(m => CountsAsSent(m.Status)),
            Session.ScannedAt is not null,
            Session.ConvertedAt is not null,
            Session.State,
            Session.EndedAt,
            emails.FirstOrDefault(),
            phones.FirstOrDefault(),
            Session.HoldsPersonalData,
            messages.Count(m => m.Status == MessageStatus.Unknown),
            others.Count > 0 ? others : null);
    }

    private static List<string> Hashes(IEnumerable<string?> addresses, Func<string, string> hash) =>
        addresses.Select(NonEmpty).OfType<string>().Select(hash).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// What decides the addresses a session holds, compared on every save without hashing or allocating: the profile's
    /// email and phone, and how many messages it has (a message keeps its address until an erasure blanks them all, which
    /// stores its row and records what it left). Null when it holds none.
    /// </summary>
    private Contacts? ContactsHeld()
    {
        var contacts = new Contacts(Session.Profile.CustomerEmail, Session.Profile.CustomerPhone, Session.Messages?.Count ?? 0);
        return contacts is (null or "", null or "", 0) ? null : contacts;
    }

    private readonly record struct Contacts(string? Email, string? Phone, int Messages);

    /// <summary>A message counts as sent once its provider took it (and until it reports it failed).</summary>
    private static bool CountsAsSent(MessageStatus status) => status is MessageStatus.Sent or MessageStatus.Delivered;

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

    private void Publish(string type)
    {
        if (Session.FeedWatched)
        {
            GrainFactory.Grain<ITerminalGrain>(GrainKeys.Terminal(Session.Location, Session.TerminalId))
                .Publish(new TerminalEvent(type, SessionId, Session.Widget.Id, Session.State, clock.GetUtcNow(), Session.ExpiresAt))
                .Ignore();
        }
    }

    private static string ContactKey(LandingSubmission form) =>
        (string.IsNullOrEmpty(form.Email) ? form.Phone ?? "" : form.Email).Trim().ToLowerInvariant();

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
