using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Labyrinth.Host.Data.Postgres.Migrations
{
    /// <summary>
    /// The card side of the data epochs (<see cref="DataEpochs"/>): a one-row counter that every
    /// write to CardWindows and every update or delete of a board bumps in the same transaction,
    /// whoever the writer is (any instance, the CLI, psql): the card lookup cache's proof that no
    /// card moved, left its board, or changed hands. Not in the EF model, like AccountEpoch.
    /// </summary>
    public partial class CardEpoch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE TABLE "CardEpoch" ("Id" integer NOT NULL PRIMARY KEY CHECK ("Id" = 1), "Value" bigint NOT NULL);""");
            migrationBuilder.Sql("""INSERT INTO "CardEpoch" ("Id", "Value") VALUES (1, 0);""");
            migrationBuilder.Sql("""
                CREATE FUNCTION "CardEpoch_Bump"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  UPDATE "CardEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1;
                  RETURN NULL;
                END
                $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "CardWindows_CardEpoch" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "CardWindows"
                FOR EACH STATEMENT EXECUTE FUNCTION "CardEpoch_Bump"();
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Boards_CardEpoch" AFTER UPDATE OR DELETE OR TRUNCATE ON "Boards"
                FOR EACH STATEMENT EXECUTE FUNCTION "CardEpoch_Bump"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "Boards_CardEpoch" ON "Boards";""");
            migrationBuilder.Sql("""DROP TRIGGER "CardWindows_CardEpoch" ON "CardWindows";""");
            migrationBuilder.Sql("""DROP FUNCTION "CardEpoch_Bump"();""");
            migrationBuilder.Sql("""DROP TABLE "CardEpoch";""");
        }
    }
}
