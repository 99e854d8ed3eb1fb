package dev.kata.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kata.TestPacks;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractAuditTest {
    @TempDir
    Path temp;
    Path pack;

    @BeforeEach
    void copyPack() {
        pack = TestPacks.copyMini(temp.resolve("katas"));
    }

    @Test
    void noContractIsAProblemOnlyWhereRequired() {
        Kata kata = new CatalogLoader().load(pack).require("sum-up");

        assertEquals(new ContractAudit(List.of(), List.of()), ContractAudit.of(kata, false));
        assertEquals(List.of("contract.toml is missing (the clauses of the task and the tests that hold each)"),
                ContractAudit.of(kata, true).problems());
    }

    @Test
    void everyClauseNamesExistingTestsAndEveryTestIsNamed() throws IOException {
        Kata kata = withContract("""
                [[clauses]]
                id = "adds"
                says = "Adds two numbers."
                tests = ["addsTwoNumbers", "AdderTest.addsZero"]
                """);

        assertEquals(new ContractAudit(List.of(), List.of()), ContractAudit.of(kata, true));
    }

    @Test
    void aClauseWithNoTestOrAMissingTestIsAProblem() throws IOException {
        Kata kata = withContract("""
                [[clauses]]
                id = "adds"
                says = "Adds two numbers."
                tests = ["addsTwoNumbers", "OtherTest.addsZero", "addsThree"]
                [[clauses]]
                id = "never-negative"
                says = "Never a negative sum."
                tests = []
                """);
        Files.writeString(kata.testsDir().resolve("AdderTest.java"), Files.readString(kata.testsDir().resolve("AdderTest.java"))
                + "// @Test void addsThree() in a comment is no test\n");

        ContractAudit audit = ContractAudit.of(kata, false);

        assertEquals(List.of(
                "contract.toml: clause adds names OtherTest.addsZero, which is no test method in tests/",
                "contract.toml: clause adds names addsThree, which is no test method in tests/ (a method of another "
                        + "class than AdderTest is named Class.method)",
                "contract.toml: clause never-negative names no test: which hidden test holds \"Never a negative sum.\"?"),
                audit.problems());
        assertEquals(List.of("contract.toml: no clause names the test AdderTest.addsZero"), audit.warnings());
    }

    private Kata withContract(String toml) throws IOException {
        Files.writeString(pack.resolve("sum-up/contract.toml"), toml);
        return new CatalogLoader().load(pack).require("sum-up");
    }
}
