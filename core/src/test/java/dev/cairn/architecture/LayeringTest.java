package dev.cairn.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.base.DescribedPredicate;
import dev.cairn.CairnException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of core, as {@code docs/architecture.md} draws it: arrows point down only, and the
 * exception types of {@code dev.cairn} are the one shared bottom every layer may throw.
 *
 * <pre>
 *   dev.cairn                  the API
 *   dev.cairn.ml               helpers on the API and the format API
 *   dev.cairn.internal.engine  jobs, shuffles, block store, checkpoint glue (not exported)
 *   dev.cairn.checkpoint       the format API
 *   dev.cairn.serde            serializers and codecs
 *   dev.cairn.storage          storage SPI and memory://
 *   dev.cairn.config           options
 * </pre>
 */
class LayeringTest {
    private static JavaClasses core;

    /** Cairn's exceptions: every layer throws them, so they may be used from anywhere. */
    private static final DescribedPredicate<JavaClass> EXCEPTIONS =
            describe("Cairn's exception types", c -> c.isAssignableTo(CairnException.class));

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.cairn");
    }

    @Test
    void noPackageCycle() {
        slices().matching("dev.cairn.(**)").should().beFreeOfCycles()
                .ignoreDependency(com.tngtech.archunit.base.DescribedPredicate.alwaysTrue(), EXCEPTIONS)
                .check(core);
        // The top package against the others (the slice pattern above leaves dev.cairn itself out).
        noClasses().that().resideInAnyPackage("dev.cairn.internal..", "dev.cairn.checkpoint..", "dev.cairn.serde..",
                        "dev.cairn.storage..", "dev.cairn.config..")
                .should().dependOnClassesThat(describe("API types of dev.cairn other than exceptions",
                        c -> c.getPackageName().equals("dev.cairn") && !c.isAssignableTo(CairnException.class)))
                .check(core);
    }

    @Test
    void layersOnlyLookDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("API").definedBy(describe("dev.cairn API types", c -> c.getPackageName().equals("dev.cairn")
                        && !c.isAssignableTo(CairnException.class)))
                .layer("ML").definedBy("dev.cairn.ml..")
                .layer("Engine").definedBy("dev.cairn.internal.engine..")
                .layer("Format").definedBy("dev.cairn.checkpoint..")
                .layer("Serde").definedBy("dev.cairn.serde..")
                .layer("Storage").definedBy("dev.cairn.storage..")
                .layer("Config").definedBy("dev.cairn.config..")
                .whereLayer("ML").mayNotBeAccessedByAnyLayer()
                .whereLayer("API").mayOnlyBeAccessedByLayers("ML")
                .whereLayer("Engine").mayOnlyBeAccessedByLayers("API")
                .whereLayer("Format").mayOnlyBeAccessedByLayers("API", "ML", "Engine")
                .whereLayer("Serde").mayOnlyBeAccessedByLayers("API", "ML", "Engine", "Format")
                .whereLayer("Storage").mayOnlyBeAccessedByLayers("API", "ML", "Engine", "Format", "Serde")
                .check(core);
    }

    @Test
    void theHelpersUseThePublicApiOnly() {
        noClasses().that().resideInAPackage("dev.cairn.ml..").should().dependOnClassesThat()
                .resideInAPackage("dev.cairn.internal..").check(core);
    }

    @Test
    void coreExposesNoHadoopOrAwsType() {
        noClasses().that().resideInAPackage("dev.cairn..").should().dependOnClassesThat()
                .resideInAnyPackage("org.apache.hadoop..", "software.amazon..").check(core);
    }
}
