package io.benchline.artifacts.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.http.Method;
import io.minio.messages.Item;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link ObjectStorage} on the MinIO Java SDK, which speaks plain S3 (S3Proxy, MinIO, AWS). */
@ApplicationScoped
public class MinioObjectStorage implements ObjectStorage {
    private static final Logger LOG = Logger.getLogger(MinioObjectStorage.class);
    private final S3Config config;
    private final MinioClient internal;
    // Separate client for presigning: URLs must name the host stations reach. With the region set it never calls out.
    private final MinioClient publicSigner;

    public MinioObjectStorage(S3Config config) {
        this.config = config;
        this.internal = MinioClient.builder().endpoint(config.endpoint())
                .credentials(config.accessKey(), config.secretKey()).region(config.region()).build();
        this.publicSigner = MinioClient.builder().endpoint(config.publicEndpoint())
                .credentials(config.accessKey(), config.secretKey()).region(config.region()).build();
    }

    /** Creates the bucket if missing, retrying while the store does not answer yet (bounded by the startup timeout). */
    public void ensureBucket() {
        long deadline = System.nanoTime() + config.startupTimeout().toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (!internal.bucketExists(BucketExistsArgs.builder().bucket(config.bucket()).build())) {
                    internal.makeBucket(MakeBucketArgs.builder().bucket(config.bucket()).build());
                    LOG.infof("created bucket %s", config.bucket());
                }
                return;
            } catch (ErrorResponseException e) {
                // Another instance created it between our check and our create.
                if ("BucketAlreadyOwnedByYou".equals(e.errorResponse().code())
                        || "BucketAlreadyExists".equals(e.errorResponse().code())) {
                    return;
                }
                last = e;
            } catch (Exception e) {
                last = e;
            }
            LOG.infof("object store at %s not ready (%s), retrying", config.endpoint(), last.toString());
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new StorageException("object store at " + config.endpoint() + " did not answer within "
                + config.startupTimeout(), last);
    }

    @Override
    public void put(String key, Path file, String contentType) {
        try {
            internal.uploadObject(UploadObjectArgs.builder().bucket(config.bucket()).object(key)
                    .filename(file.toString()).contentType(contentType).build());
        } catch (Exception e) {
            throw new StorageException("cannot store " + key, e);
        }
    }

    @Override
    public Optional<InputStream> get(String key) {
        try {
            return Optional.of(internal.getObject(GetObjectArgs.builder().bucket(config.bucket()).object(key).build()));
        } catch (ErrorResponseException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw new StorageException("cannot read " + key, e);
        } catch (Exception e) {
            throw new StorageException("cannot read " + key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        try {
            StatObjectResponse stat = internal.statObject(StatObjectArgs.builder().bucket(config.bucket())
                    .object(key).build());
            return Optional.of(new ObjectInfo(key, stat.size(),
                    stat.lastModified() == null ? null : stat.lastModified().toInstant(), stat.etag()));
        } catch (ErrorResponseException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw new StorageException("cannot stat " + key, e);
        } catch (Exception e) {
            throw new StorageException("cannot stat " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            internal.removeObject(RemoveObjectArgs.builder().bucket(config.bucket()).object(key).build());
        } catch (Exception e) {
            throw new StorageException("cannot delete " + key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix, int limit) {
        List<ObjectInfo> out = new ArrayList<>();
        try {
            for (Result<Item> result : internal.listObjects(ListObjectsArgs.builder().bucket(config.bucket())
                    .prefix(prefix).recursive(true).build())) {
                Item item = result.get();
                Instant modified = item.lastModified() == null ? null : item.lastModified().toInstant();
                out.add(new ObjectInfo(item.objectName(), item.size(), modified, item.etag()));
                if (out.size() >= limit) {
                    break;
                }
            }
            return out;
        } catch (Exception e) {
            throw new StorageException("cannot list " + prefix, e);
        }
    }

    @Override
    public String presignedGet(String key, Duration ttl) {
        return presign(Method.GET, key, ttl);
    }

    @Override
    public String presignedPut(String key, Duration ttl) {
        return presign(Method.PUT, key, ttl);
    }

    private String presign(Method method, String key, Duration ttl) {
        try {
            return publicSigner.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(method)
                    .bucket(config.bucket()).object(key).expiry((int) ttl.toSeconds()).build());
        } catch (Exception e) {
            throw new StorageException("cannot presign " + key, e);
        }
    }

    private static boolean isMissing(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                || (e.response() != null && e.response().code() == 404);
    }
}
