ALTER TABLE "idempotency_keys" ADD COLUMN "request_hash" text;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "last_event_txid" bigint;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "last_event_id" bigint;