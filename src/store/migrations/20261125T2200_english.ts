/**
 * The English wording of text the product writes itself: an incident title made by detection,
 * the reason of a level change made by the grading table, detection or a merge, the reason of
 * a warning the spread rule raised and the title of an order named by the product. Text a
 * person typed has no English column (it stays as written); null means "show the original".
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('title_en', 'text').execute();
  await db.schema.alterTable('level_changes').addColumn('reason_en', 'text').execute();
  await db.schema.alterTable('warnings').addColumn('reason_en', 'text').execute();
  await db.schema.alterTable('orders').addColumn('title_en', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').dropColumn('title_en').execute();
  await db.schema.alterTable('warnings').dropColumn('reason_en').execute();
  await db.schema.alterTable('level_changes').dropColumn('reason_en').execute();
  await db.schema.alterTable('incidents').dropColumn('title_en').execute();
}
