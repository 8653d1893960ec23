-- Switchboard store, version 4 (SQLite): indexes for the pages of
-- conversations (store.Filter's Customer, Channel, LastOperator and Group,
-- with AfterSeq and Limit). Closed conversations are kept for good, so
-- without them a page by one of these ids reads every closed conversation
-- ever stored; with them it is a range scan of the index from AfterSeq,
-- in Seq order, that stops when the page is full. Each costs every
-- conversation insert one more index entry, and an update one when it
-- changes the column (a transfer the group, an assignment the last
-- operator, a requeue the seq).

-- Filter{Customer, States: [Closed]}: a customer's past conversations.
CREATE INDEX {{schema}}{{prefix}}conversations_customer ON {{prefix}}conversations (customer_id, seq);

-- Filter{Channel, ...}: the conversations that came through a channel.
CREATE INDEX {{schema}}{{prefix}}conversations_channel ON {{prefix}}conversations (channel, seq);

-- Filter{LastOperator, States: [Closed]}: the conversations an operator
-- held last (their closed ones; the open ones they hold go by assignee).
CREATE INDEX {{schema}}{{prefix}}conversations_last_operator ON {{prefix}}conversations (last_operator, seq);

-- Filter{Group, States: [Closed]}: a group's past conversations (the index
-- by state and seq of version 1 would read every group's).
CREATE INDEX {{schema}}{{prefix}}conversations_group ON {{prefix}}conversations (group_id, seq);
