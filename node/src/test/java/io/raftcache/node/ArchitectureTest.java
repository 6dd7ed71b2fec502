package io.raftcache.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The package rules of the design: each package imports only what the layering allows. */
@AnalyzeClasses(packages = "io.raftcache", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule apiNeverTouchesStorage = noClasses().that().resideInAPackage("..node.api..")
      .should().dependOnClassesThat().resideInAPackage("..node.storage..")
      .because("the API validates, delegates to partitions and maps; storage is behind the partition layer");

  @ArchTest
  static final ArchRule onlyThePersistPackageTalksToPostgres = noClasses().that().resideOutsideOfPackage("..node.persist..")
      .should().dependOnClassesThat().resideInAnyPackage("org.postgresql..", "com.zaxxer.hikari..", "org.flywaydb..")
      .because("SQL, the pool and migrations stay behind the persist package");

  @ArchTest
  static final ArchRule onlyTheRaftPackageImportsSofaJraft = noClasses().that().resideOutsideOfPackage("..node.raft..")
      .should().dependOnClassesThat().resideInAPackage("com.alipay.sofa.jraft..")
      .because("SOFAJRaft is an implementation detail of the raft package");

  @ArchTest
  static final ArchRule theStateMachineIsPure = noClasses().that().resideInAPackage("..node.statemachine..")
      .should().dependOnClassesThat().resideInAnyPackage("java.time..", "java.util.concurrent..", "io.grpc..",
          "..node.partition..", "..node.api..", "..node.metrics..")
      .orShould().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(System.class, "nanoTime")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
      .because("apply must be deterministic: time enters only through commands");

  @ArchTest
  static final ArchRule storageIsALeafBelowTheStateMachine = noClasses().that().resideInAPackage("..node.storage..")
      .should().dependOnClassesThat().resideInAnyPackage("..node.statemachine..", "..node.partition..",
          "..node.api..", "..node.metrics..", "io.grpc..");

  @ArchTest
  static final ArchRule partitionsDoNotKnowTheApi = noClasses().that().resideInAPackage("..node.partition..")
      .should().dependOnClassesThat().resideInAnyPackage("..node.api..", "..node.cli..");

  @ArchTest
  static final ArchRule metricsAndCommonAreLeaves = noClasses().that().resideInAnyPackage("..node.metrics..", "..node.common..")
      .should().dependOnClassesThat().resideInAnyPackage("..node.api..", "..node.partition..", "..node.storage..",
          "..node.statemachine..", "..node.cli..");

  @ArchTest
  static final ArchRule cryptoIsALeaf = noClasses().that().resideInAPackage("..node.crypto..")
      .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("io.raftcache..", "io.grpc..", "com.google..")
          .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("..node.crypto.."))))
      .because("the cipher and keyring are plain JDK code that the API layer applies; keeping them apart keeps"
          + " key handling small enough to review");

  @ArchTest
  static final ArchRule onlyTheCompositionRootAndCliWireTheNode = noClasses()
      .that().resideOutsideOfPackages("io.raftcache.node", "..node.cli..")
      .should().dependOnClassesThat().haveFullyQualifiedName("io.raftcache.node.RaftCacheNode");

  @ArchTest
  static final ArchRule nothingReadsTheWallClockDirectly = noClasses().that().resideInAPackage("io.raftcache.node..")
      .should().callMethod(System.class, "currentTimeMillis")
      .because("time comes from an injected Clock so TTL tests run on a fake clock");
}
