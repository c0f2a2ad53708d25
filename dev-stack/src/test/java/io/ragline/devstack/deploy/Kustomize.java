package io.ragline.devstack.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization: with the real Kustomize when a {@code kustomize} or {@code kubectl} binary
 * is on the PATH, otherwise with {@link #renderBuiltIn}, a small re-implementation of exactly the
 * Kustomize features k8s/ uses ("base plus patches"). Where both exist, a test checks they agree, so
 * the fallback cannot drift from Kustomize unnoticed.
 *
 * <p>Built-in support: {@code resources} (files and directories), {@code namespace},
 * {@code labels} (metadata only), {@code images}, {@code configMapGenerator} (files, literals, no
 * hash suffix) and {@code patches}: strategic-merge patches (maps merge; for built-in kinds the
 * lists of containers, env, volumes, volume mounts merge by name; a null deletes) and JSON 6902
 * patches (add, replace, remove); a strategic-merge patch that is only {@code $patch: delete} removes its
 * object. Anything else in a kustomization is refused, loudly.
 */
final class Kustomize {
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "resources",
            "patches", "images", "labels", "configMapGenerator");
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass", "ClusterSecretStore",
            "ClusterIssuer", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "IngressClass",
            "RuntimeClass", "APIService");
    private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "policy", "autoscaling",
            "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io");
    private static final Set<String> MERGE_BY_NAME = Set.of("containers", "initContainers", "env", "volumes",
            "volumeMounts", "imagePullSecrets");

    private Kustomize() {
    }

    /** How overlays are rendered here: "kustomize build", "kubectl kustomize" or "built-in". */
    static String renderer() {
        return externalCommand().map(c -> String.join(" ", c)).orElse("built-in");
    }

    static List<ObjectNode> render(Path dir) {
        Optional<List<String>> external = externalCommand();
        return external.isPresent() ? renderExternal(external.get(), dir) : renderBuiltIn(dir);
    }

    /** {@code kustomize build} or {@code kubectl kustomize}, whichever is on the PATH (in that order). */
    static Optional<List<String>> externalCommand() {
        if ("built-in".equals(System.getProperty("ragline.kustomize"))) {
            return Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            if (Files.isExecutable(Path.of(dir, "kustomize"))) {
                return Optional.of(List.of(Path.of(dir, "kustomize").toString(), "build"));
            }
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                return Optional.of(List.of(Path.of(dir, "kubectl").toString(), "kustomize"));
            }
        }
        return Optional.empty();
    }

    static List<ObjectNode> renderExternal(List<String> command, Path dir) {
        List<String> cmd = new ArrayList<>(command);
        cmd.add(dir.toString());
        try {
            Path err = Files.createTempFile("kustomize", ".err");
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " timed out");
            }
            String stderr = Files.readString(err);
            Files.deleteIfExists(err);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + stderr);
            }
            List<ObjectNode> objects = new ArrayList<>();
            for (JsonNode doc : Repo.yamlDocuments(out)) {
                objects.add((ObjectNode) doc);
            }
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------ built-in

    static List<ObjectNode> renderBuiltIn(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no kustomization.yaml in " + dir);
        }
        ObjectNode k = Repo.yamlObjects(file).getFirst();
        k.fieldNames().forEachRemaining(f -> {
            if (!SUPPORTED.contains(f)) {
                throw new UnsupportedOperationException("the built-in renderer does not support '" + f + "' (in "
                        + file + "): install kustomize/kubectl or extend Kustomize.java");
            }
        });
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            out.addAll(Files.isDirectory(p) ? renderBuiltIn(p) : Repo.yamlObjects(p));
        }
        for (JsonNode g : k.path("configMapGenerator")) {
            out.add(configMap(dir, (ObjectNode) g));
        }
        for (JsonNode patch : k.path("patches")) {
            applyPatch(dir, patch, out);
        }
        String namespace = k.path("namespace").asText(null);
        if (namespace != null) {
            out.forEach(o -> setNamespace(o, namespace));
        }
        for (JsonNode l : k.path("labels")) {
            if (l.path("includeSelectors").asBoolean(false) || l.path("includeTemplates").asBoolean(false)) {
                throw new UnsupportedOperationException("labels with includeSelectors/includeTemplates in " + file);
            }
            for (ObjectNode o : out) {
                ObjectNode labels = metadata(o).with("labels");
                l.path("pairs").properties().forEach(e -> labels.set(e.getKey(), e.getValue()));
            }
        }
        for (JsonNode image : k.path("images")) {
            out.forEach(o -> setImages(o, image));
        }
        return out;
    }

    private static ObjectNode metadata(ObjectNode o) {
        return o.with("metadata");
    }

    private static ObjectNode configMap(Path dir, ObjectNode g) {
        if (!g.path("options").path("disableNameSuffixHash").asBoolean(false)) {
            throw new UnsupportedOperationException("configMapGenerator without disableNameSuffixHash: true");
        }
        ObjectNode cm = JsonNodeFactory.instance.objectNode();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        for (JsonNode f : g.path("files")) {
            Path p = dir.resolve(f.asText()).normalize();
            data.put(p.getFileName().toString(), Repo.read(p));
        }
        for (JsonNode lit : g.path("literals")) {
            String s = lit.asText();
            data.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        }
        cm.set("data", data);
        ObjectNode meta = metadata(cm);
        meta.put("name", g.path("name").asText());
        if (g.path("options").has("labels")) {
            meta.set("labels", g.path("options").path("labels").deepCopy());
        }
        return cm;
    }

    private static void setNamespace(ObjectNode o, String namespace) {
        if (CLUSTER_SCOPED.contains(o.path("kind").asText())) {
            return;
        }
        metadata(o).put("namespace", namespace);
        if (o.path("kind").asText().endsWith("RoleBinding")) {
            for (JsonNode s : o.path("subjects")) {
                if ("ServiceAccount".equals(s.path("kind").asText()) && !s.has("namespace")) {
                    ((ObjectNode) s).put("namespace", namespace);
                }
            }
        }
    }

    private static void setImages(JsonNode node, JsonNode image) {
        if (node instanceof ObjectNode o) {
            for (String list : List.of("containers", "initContainers")) {
                for (JsonNode c : o.path(list)) {
                    if (c instanceof ObjectNode container && container.has("image")) {
                        container.put("image", replaceImage(container.path("image").asText(), image));
                    }
                }
            }
            o.elements().forEachRemaining(child -> setImages(child, image));
        } else if (node instanceof ArrayNode a) {
            a.elements().forEachRemaining(child -> setImages(child, image));
        }
    }

    private static String replaceImage(String ref, JsonNode image) {
        int at = ref.indexOf('@');
        int colon = ref.lastIndexOf(':');
        boolean hasTag = colon > ref.lastIndexOf('/');
        String repo = at >= 0 ? ref.substring(0, at) : hasTag ? ref.substring(0, colon) : ref;
        String tag = at >= 0 ? ref.substring(at) : hasTag ? ref.substring(colon) : "";
        if (!repo.equals(image.path("name").asText())) {
            return ref;
        }
        if (image.has("newName")) {
            repo = image.path("newName").asText();
        }
        if (image.has("digest")) {
            tag = "@" + image.path("digest").asText();
        } else if (image.has("newTag")) {
            tag = ":" + image.path("newTag").asText();
        }
        return repo + tag;
    }

    private static void applyPatch(Path dir, JsonNode patch, List<ObjectNode> resources) {
        String text = patch.has("path") ? Repo.read(dir.resolve(patch.path("path").asText()))
                : patch.path("patch").asText();
        JsonNode target = patch.path("target");
        List<JsonNode> docs = Repo.yamlDocuments(text);
        if (docs.size() == 1 && docs.getFirst().isArray()) {
            List<ObjectNode> targets = select(resources, target.path("kind").asText(null),
                    target.path("name").asText(null));
            for (ObjectNode t : targets) {
                for (JsonNode op : docs.getFirst()) {
                    json6902(t, op);
                }
            }
            return;
        }
        for (JsonNode doc : docs) {
            String kind = target.isMissingNode() ? doc.path("kind").asText() : target.path("kind").asText(null);
            String name = target.isMissingNode() ? doc.path("metadata").path("name").asText()
                    : target.path("name").asText(null);
            if (doc.has("$patch")) {
                // a whole-object directive: only "delete" (the object leaves the output)
                if (!"delete".equals(doc.path("$patch").asText())) {
                    throw new UnsupportedOperationException("strategic-merge directive $patch: " + doc.path("$patch").asText());
                }
                List<ObjectNode> doomed = select(resources, kind, name);
                resources.removeIf(r -> doomed.stream().anyMatch(d -> d == r));
                continue;
            }
            for (ObjectNode t : select(resources, kind, name)) {
                ObjectNode patchDoc = ((ObjectNode) doc).deepCopy();
                if (!target.isMissingNode()) {
                    patchDoc.remove("metadata");
                }
                merge(t, patchDoc, isBuiltIn(t));
            }
        }
    }

    private static List<ObjectNode> select(List<ObjectNode> resources, String kind, String name) {
        List<ObjectNode> found = resources.stream()
                .filter(r -> kind == null || kind.equals(r.path("kind").asText()))
                .filter(r -> name == null || name.equals(r.path("metadata").path("name").asText()))
                .toList();
        if (found.isEmpty()) {
            throw new IllegalArgumentException("patch target " + kind + "/" + name + " matches no resource");
        }
        return found;
    }

    private static boolean isBuiltIn(ObjectNode o) {
        String apiVersion = o.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return BUILT_IN_GROUPS.contains(group);
    }

    /** Strategic merge for built-in kinds (lists of named things merge by name), JSON merge otherwise. */
    static void merge(ObjectNode target, ObjectNode patch, boolean builtIn) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.startsWith("$")) {
                throw new UnsupportedOperationException("strategic-merge directive " + key);
            }
            JsonNode current = target.get(key);
            if (value.isNull()) {
                target.remove(key);
            } else if (value instanceof ObjectNode p && current instanceof ObjectNode c) {
                merge(c, p, builtIn);
            } else if (builtIn && MERGE_BY_NAME.contains(key) && value instanceof ArrayNode p
                    && current instanceof ArrayNode c) {
                mergeByName(c, p, builtIn);
            } else {
                target.set(key, value.deepCopy());
            }
        }
    }

    /** Like Kubernetes' strategic merge: the patch's elements first, in its order, then the others. */
    private static void mergeByName(ArrayNode current, ArrayNode patch, boolean builtIn) {
        Map<String, ObjectNode> byName = new LinkedHashMap<>();
        current.forEach(n -> byName.put(n.path("name").asText(), (ObjectNode) n));
        List<JsonNode> merged = new ArrayList<>();
        for (JsonNode p : patch) {
            ObjectNode existing = byName.remove(p.path("name").asText());
            if (existing != null) {
                merge(existing, (ObjectNode) p, builtIn);
                merged.add(existing);
            } else {
                merged.add(p.deepCopy());
            }
        }
        merged.addAll(byName.values());
        current.removeAll();
        current.addAll(merged);
    }

    /** One RFC 6902 operation: add, replace or remove. */
    static void json6902(ObjectNode root, JsonNode op) {
        String kind = op.path("op").asText();
        List<String> path = new ArrayList<>();
        for (String s : op.path("path").asText().substring(1).split("/", -1)) {
            path.add(s.replace("~1", "/").replace("~0", "~"));
        }
        JsonNode parent = root;
        for (String segment : path.subList(0, path.size() - 1)) {
            parent = parent.isArray() ? parent.get(Integer.parseInt(segment)) : parent.get(segment);
            if (parent == null) {
                throw new IllegalArgumentException("path " + op.path("path").asText() + " not found");
            }
        }
        String last = path.getLast();
        JsonNode value = op.has("value") ? op.get("value").deepCopy() : null;
        if (parent instanceof ObjectNode o) {
            if (!"add".equals(kind) && !o.has(last)) {
                throw new IllegalArgumentException(kind + ": " + op.path("path").asText() + " not found");
            }
            switch (kind) {
                case "add", "replace" -> o.set(last, value);
                case "remove" -> o.remove(last);
                default -> throw new UnsupportedOperationException("JSON patch op " + kind);
            }
        } else if (parent instanceof ArrayNode a) {
            int index = "-".equals(last) ? a.size() : Integer.parseInt(last);
            switch (kind) {
                case "add" -> a.insert(index, value);
                case "replace" -> a.set(index, value);
                case "remove" -> a.remove(index);
                default -> throw new UnsupportedOperationException("JSON patch op " + kind);
            }
        } else {
            throw new IllegalArgumentException("path " + op.path("path").asText() + " not found");
        }
    }
}
