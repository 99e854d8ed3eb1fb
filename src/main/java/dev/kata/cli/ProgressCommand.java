package dev.kata.cli;

import dev.kata.catalog.Catalog;
import dev.kata.render.ProgressExport;
import dev.kata.render.ProgressJUnit;
import dev.kata.render.ProgressJson;
import dev.kata.render.ProgressMarkdown;
import dev.kata.render.ProgressText;
import dev.kata.workspace.KataState;
import dev.kata.workspace.Workspace;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "progress", mixinStandardHelpOptions = true,
        description = {"How far you are: counts, then each kata's status, checks and hints, by track.",
                "Exports for your team: JSON (what `kata report` merges), JUnit XML for CI dashboards, "
                        + "Markdown for a pull request or a wiki."})
final class ProgressCommand extends Subcommand implements Callable<Integer> {
    enum Format {
        TEXT, JSON, JUNIT, MARKDOWN;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            converter = FormatConverter.class, completionCandidates = FormatNames.class,
            description = "text, json, junit or markdown (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--json", description = "The same as --format json.")
    boolean json;

    @Option(names = "--learner", paramLabel = "NAME",
            description = "Who the export is about (default: git's user.name, else $USER).")
    String learner;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Workspace workspace = ctx.workspace();
        Catalog catalog = ctx.catalog();
        List<KataState> states = KataState.of(catalog.katas(), ctx.progress().read(), workspace);
        Format chosen = json ? Format.JSON : format;
        if (chosen == Format.TEXT) {
            ctx.out().print(new ProgressText(ctx.style(), ctx.clock().getZone()).render(catalog.tracks(), states));
            return Main.PASS;
        }
        ProgressExport export = new ProgressExport(ctx.learnerName(learner, workspace.root()), catalog.name(),
                catalog.version(), ctx.clock().instant(), catalog.tracks(), states);
        ctx.out().print(switch (chosen) {
            case JSON -> ProgressJson.render(export);
            case JUNIT -> ProgressJUnit.render(export);
            case MARKDOWN -> new ProgressMarkdown(ctx.clock().getZone()).render(export);
            case TEXT -> throw new IllegalStateException();
        });
        return Main.PASS;
    }

    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return Format.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not a format: use text, json, junit or markdown");
            }
        }
    }

    static final class FormatNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("text", "json", "junit", "markdown").iterator();
        }
    }
}
