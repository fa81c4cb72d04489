using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Labyrinth.Host.Data.Migrations
{
    /// <summary>
    /// The card side of the data epochs (<see cref="DataEpochs"/>): a one-row counter that every
    /// write to CardWindows and every update or delete of a board bumps in the same transaction,
    /// whoever the writer is (the host, the CLI, sqlite3): the card lookup cache's proof that no
    /// card moved, left its board, or changed hands. Not in the EF model, like AccountEpoch.
    /// </summary>
    public partial class CardEpoch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE TABLE "CardEpoch" ("Id" INTEGER NOT NULL PRIMARY KEY CHECK ("Id" = 1), "Value" INTEGER NOT NULL);""");
            migrationBuilder.Sql("""INSERT INTO "CardEpoch" ("Id", "Value") VALUES (1, 0);""");
            migrationBuilder.Sql("""CREATE TRIGGER "CardWindows_CardEpoch_Insert" AFTER INSERT ON "CardWindows" BEGIN UPDATE "CardEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;""");
            migrationBuilder.Sql("""CREATE TRIGGER "CardWindows_CardEpoch_Update" AFTER UPDATE ON "CardWindows" BEGIN UPDATE "CardEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;""");
            migrationBuilder.Sql("""CREATE TRIGGER "CardWindows_CardEpoch_Delete" AFTER DELETE ON "CardWindows" BEGIN UPDATE "CardEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;""");
            migrationBuilder.Sql("""CREATE TRIGGER "Boards_CardEpoch_Update" AFTER UPDATE ON "Boards" BEGIN UPDATE "CardEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;""");
            migrationBuilder.Sql("""CREATE TRIGGER "Boards_CardEpoch_Delete" AFTER DELETE ON "Boards" BEGIN UPDATE "CardEpoch" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "Boards_CardEpoch_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "Boards_CardEpoch_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "CardWindows_CardEpoch_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "CardWindows_CardEpoch_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "CardWindows_CardEpoch_Insert";""");
            migrationBuilder.Sql("""DROP TABLE "CardEpoch";""");
        }
    }
}
