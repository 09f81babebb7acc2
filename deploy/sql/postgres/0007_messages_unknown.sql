-- WidgetSessionFunnel.MessagesUnknown: how many of the session's messages have an unknown delivery (handed to the
-- provider when the process stopped; never sent again), summed into the operator's stats like MessagesSent
-- (docs/DECISIONS.md "Message delivery states"). Rows written before this script count 0 until their session writes
-- its row again.
ALTER TABLE WidgetSessionFunnel ADD COLUMN MessagesUnknown integer NOT NULL DEFAULT 0;
