package dev.kata.cli;

import dev.kata.KataException;
import dev.kata.render.TeamReportMarkdown;
import dev.kata.render.TeamReportText;
import dev.kata.report.ExportReader;
import dev.kata.report.LearnerExport;
import dev.kata.report.TeamReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Merge learners' progress exports into one team report: who solved what, and where people "
                + "get stuck (most checks, most hints).",
                "Each learner makes an export with `kata progress --format json > NAME.json`."})
final class ReportCommand extends Subcommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "JSON exports, or folders holding them (their *.json files).")
    List<Path> files;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or markdown (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        String chosen = format.strip().toLowerCase(Locale.ROOT);
        if (!chosen.equals("text") && !chosen.equals("markdown")) {
            throw new KataException("'" + format + "' is not a report format: use text or markdown");
        }
        ExportReader reader = new ExportReader();
        List<LearnerExport> exports = new ArrayList<>();
        for (Path given : files) {
            Path file = ctx.cwd().resolve(given).normalize();
            if (Files.isDirectory(file)) {
                List<Path> inside = jsonFiles(file);
                if (inside.isEmpty()) {
                    throw new KataException(given + ": this folder holds no .json export");
                }
                for (Path f : inside) {
                    exports.add(reader.read(f, given.resolve(f.getFileName()).toString()));
                }
            } else if (!Files.exists(file)) {
                throw new KataException(given + ": no such file");
            } else {
                exports.add(reader.read(file, given.toString()));
            }
        }
        TeamReport report = TeamReport.of(exports);
        ctx.out().print(chosen.equals("markdown")
                ? new TeamReportMarkdown(ctx.clock().getZone()).render(report)
                : new TeamReportText(ctx.style(), ctx.columns()).render(report));
        return Main.PASS;
    }

    private static List<Path> jsonFiles(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new KataException(dir + ": cannot be read: " + e.getMessage());
        }
    }
}
