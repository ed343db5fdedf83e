"""The HTTPS listener's certificate: an existing ACM ARN, or one requested and validated by DNS.

A requested certificate covers its domain and every other name clients use (``dns.name``, the
host routes, ``subjectAlternativeNames``: see ``ServingConfig.certificate_names``), one validation
record per name in the Route 53 zone. The listener takes the ARN from ``CertificateValidation``,
so it is only created once ACM has issued the certificate.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from serving_stack.config import CertificateConfig


def _validation_option(
    certificate: aws.acm.Certificate, domain: str
) -> pulumi.Output[aws.acm.outputs.CertificateDomainValidationOption]:
    return certificate.domain_validation_options.apply(
        lambda options: next(o for o in options if o.domain_name == domain)
    )


def certificate_arn(
    name: str,
    cfg: CertificateConfig,
    names: list[str],
    zone_id: str | None,
    opts: pulumi.ResourceOptions,
) -> pulumi.Input[str]:
    """The ARN for the listener.

    ``names``: everything a requested certificate covers, domain first; ``zone_id``: the Route 53
    zone ``cfg.zone``, looked up before anything was built.
    """
    if cfg.arn is not None:
        return cfg.arn
    assert zone_id is not None and names  # guaranteed by CertificateConfig and the placement
    domain, *alternatives = names
    certificate = aws.acm.Certificate(
        name,
        domain_name=domain,
        subject_alternative_names=alternatives,
        validation_method="DNS",
        key_algorithm="EC_prime256v1",
        tags={"Name": domain},
        opts=opts,
    )
    fqdns: list[pulumi.Output[str]] = []
    for index, covered in enumerate(names):
        option = _validation_option(certificate, covered)
        record = aws.route53.Record(
            f"{name}-validation" if index == 0 else f"{name}-validation-{covered}",
            zone_id=zone_id,
            name=option.apply(lambda o: o.resource_record_name),
            type=option.apply(lambda o: o.resource_record_type),
            records=[option.apply(lambda o: o.resource_record_value or "")],
            ttl=300,
            allow_overwrite=True,
            opts=pulumi.ResourceOptions(parent=certificate),
        )
        fqdns.append(record.fqdn)
    validation = aws.acm.CertificateValidation(
        name,
        certificate_arn=certificate.arn,
        validation_record_fqdns=fqdns,
        opts=pulumi.ResourceOptions(parent=certificate),
    )
    return validation.certificate_arn
