"""The HTTPS listener's certificate: an existing ACM ARN, or one requested and validated by DNS."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from serving_stack.config import CertificateConfig


def certificate_arn(
    name: str, cfg: CertificateConfig, opts: pulumi.ResourceOptions
) -> pulumi.Input[str]:
    if cfg.arn is not None:
        return cfg.arn
    assert cfg.domain is not None and cfg.zone is not None  # guaranteed by CertificateConfig
    zone = aws.route53.get_zone(name=cfg.zone, private_zone=False)
    certificate = aws.acm.Certificate(
        name,
        domain_name=cfg.domain,
        validation_method="DNS",
        key_algorithm="EC_prime256v1",
        tags={"Name": cfg.domain},
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(delete_before_replace=False)
        ),
    )
    option = certificate.domain_validation_options[0]
    record = aws.route53.Record(
        f"{name}-validation",
        zone_id=zone.zone_id,
        name=option.resource_record_name,
        type=option.resource_record_type,
        records=[option.resource_record_value],
        ttl=300,
        allow_overwrite=True,
        opts=pulumi.ResourceOptions(parent=certificate),
    )
    validation = aws.acm.CertificateValidation(
        name,
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
        opts=pulumi.ResourceOptions(parent=certificate),
    )
    return validation.certificate_arn
