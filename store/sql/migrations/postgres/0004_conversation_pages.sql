-- Switchboard store, version 4 (PostgreSQL): indexes for the pages of
-- conversations (store.Filter's Customer, Channel, LastOperator and Group,
-- with AfterSeq and Limit). Closed conversations are kept for good, so
-- without them a page by one of these ids reads every closed conversation
-- ever stored; with them it is a range scan of the index from AfterSeq,
-- in Seq order, that stops when the page is full. Each costs every
-- conversation insert one more index entry, and so every update that
-- changes an indexed column (the state, which nearly every change does,
-- was indexed before: such updates were not HOT already).
-- The ids indexed are at most store.MaxIDLength bytes (a channel too, from
-- this version on), well inside what a btree entry may hold. Migrate runs
-- in one transaction, where CREATE INDEX CONCURRENTLY cannot: the build
-- blocks writes to the conversations table while it reads it, so a large
-- table is best migrated at a quiet time.

-- Filter{Customer, States: [Closed]}: a customer's past conversations.
CREATE INDEX {{prefix}}conversations_customer ON {{schema}}{{prefix}}conversations (customer_id, seq);

-- Filter{Channel, ...}: the conversations that came through a channel.
CREATE INDEX {{prefix}}conversations_channel ON {{schema}}{{prefix}}conversations (channel, seq);

-- Filter{LastOperator, States: [Closed]}: the conversations an operator
-- held last (their closed ones; the open ones they hold go by assignee).
CREATE INDEX {{prefix}}conversations_last_operator ON {{schema}}{{prefix}}conversations (last_operator, seq);

-- Filter{Group, States: [Closed]}: a group's past conversations (the index
-- by state and seq of version 1 would read every group's).
CREATE INDEX {{prefix}}conversations_group ON {{schema}}{{prefix}}conversations (group_id, seq);
