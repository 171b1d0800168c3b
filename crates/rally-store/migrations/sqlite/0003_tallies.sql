-- Partners and summed reach per (campaign, stage, category), kept in step with `partners` inside the
-- same transactions, so the dashboard's funnel and the board's column totals read a few rows instead
-- of counting every partner.

CREATE TABLE partner_tallies (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    stage       TEXT NOT NULL,
    category    TEXT NOT NULL,
    partners    BIGINT NOT NULL,
    reach       BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, stage, category)
);

INSERT INTO partner_tallies (campaign_id, stage, category, partners, reach)
SELECT campaign_id, stage, category, COUNT(*), CAST(COALESCE(SUM(reach), 0) AS BIGINT)
FROM partners GROUP BY campaign_id, stage, category;
