package io.raftcache.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The client depends on the public contract only, never on the node. */
@AnalyzeClasses(packages = "io.raftcache.client", importOptions = ImportOption.DoNotIncludeTests.class)
class ClientArchitectureTest {
  @ArchTest
  static final ArchRule theClientNeverImportsTheNode = noClasses().that().resideInAPackage("io.raftcache.client..")
      .should().dependOnClassesThat().resideInAPackage("io.raftcache.node..");
}
